package io.learningdb.operator.replication;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.time.Duration;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.sql.Connection;
import java.sql.ResultSet;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.http.ByteString;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.fabric8.mockwebserver.http.WebSocket;
import io.fabric8.mockwebserver.http.WebSocketListener;
import io.learningdb.operator.model.LearningDatabase;
import io.learningdb.operator.postgres.LoopbackTopology;
import io.learningdb.operator.postgres.RealPostgresAccess;
import io.learningdb.operator.resources.Fixtures;

/**
 * Out of the cluster (quarkus:dev against kind), the operator reaches each instance through the API server's
 * port-forward. Here a real PostgreSQL is behind an API server that speaks the port-forward protocol
 * (v4.channel.k8s.io: a stream per connection, channel 0 data and 1 errors, each opened with the port number) and
 * relays each stream to the instance's loopback port, as kubelet does to the pod; the operator's JDBC connection
 * goes through fabric8's LocalPortForward, as it does in quarkus:dev.
 */
class InstanceAddressesPortForwardTest {

    static LoopbackTopology topo;
    static MockWebServer apiServer;
    static KubernetesClient client;
    static final List<String> forwardedPods = new CopyOnWriteArrayList<>();
    static final Map<String, Integer> podPorts = new ConcurrentHashMap<>();

    @BeforeAll
    static void up() {
        RealPostgresAccess.assumeAvailable();
        topo = LoopbackTopology.create(Fixtures.ldb("pf", "replicas: 0\n"));
        podPorts.put("pf-0", topo.startPrimary("pf-0").port());
        apiServer = new MockWebServer();
        apiServer.setDispatcher(new PortForwardingApiServer());
        apiServer.start();
        Config config = new ConfigBuilder(Config.empty()).withMasterUrl(apiServer.url("/").toString())
                .withTrustCerts(true).withNamespace("school").build();
        client = new KubernetesClientBuilder().withConfig(config).build();
    }

    @AfterAll
    static void down() throws IOException {
        if (client != null) {
            client.close();
        }
        if (apiServer != null) {
            apiServer.close();
        }
        if (topo != null) {
            topo.close();
        }
    }

    static InstanceAddresses addresses(String setting) {
        var a = new InstanceAddresses();
        a.client = client;
        a.accessSetting = setting;
        return a;
    }

    @Test
    void outsideAPodTheOperatorReachesAnInstanceThroughThePortForwardAndReusesIt() throws Exception {
        var addresses = addresses("auto");
        if (System.getenv("KUBERNETES_SERVICE_HOST") != null) {
            addresses = addresses("port-forward"); // this test itself running in a pod
        }
        LearningDatabase ldb = Fixtures.ldb("pf", "replicas: 0\n");
        ldb.getMetadata().setNamespace("school");
        try {
            var endpoint = addresses.of(ldb, "pf-0");
            assertThat(endpoint.host()).isEqualTo("127.0.0.1");
            try (Connection c = LoopbackTopology.connect(endpoint.port(), "postgres", topo.password("superuser"), "postgres");
                    ResultSet rs = c.createStatement().executeQuery("SELECT pg_is_in_recovery()::text || ' ' || current_setting('port')")) {
                rs.next();
                assertThat(rs.getString(1)).isEqualTo("false " + podPorts.get("pf-0"));
            }
            assertThat(forwardedPods).contains("school/pf-0");
            // the same listener serves the next measurement
            assertThat(addresses.of(ldb, "pf-0")).isEqualTo(endpoint);

            // a deleted cluster's forwards are closed
            addresses.forget("school", "pf");
            assertThat(addresses.forward("school", "pf-0")).isEmpty();
            // (the JDK frees the listening socket once the thread blocked in accept() has been woken: moments after
            // close() returns, not within it)
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                    assertThatThrownBy(() -> new Socket("127.0.0.1", endpoint.port()).close()).isInstanceOf(IOException.class));
        } finally {
            addresses.close();
        }
    }

    @Test
    void inAPodOrWhenToldTheOperatorUsesPodDnsNames() {
        assertThat(InstanceAddresses.access("auto", Map.of("KUBERNETES_SERVICE_HOST", "10.96.0.1")))
                .isEqualTo(InstanceAddresses.Access.DNS);
        assertThat(InstanceAddresses.access("auto", Map.of())).isEqualTo(InstanceAddresses.Access.PORT_FORWARD);
        assertThat(InstanceAddresses.access("dns", Map.of())).isEqualTo(InstanceAddresses.Access.DNS);
        assertThat(InstanceAddresses.access("port-forward", Map.of("KUBERNETES_SERVICE_HOST", "x")))
                .isEqualTo(InstanceAddresses.Access.PORT_FORWARD);
        assertThatThrownBy(() -> InstanceAddresses.access("ssh", Map.of())).hasMessageContaining("auto, dns or port-forward");
        LearningDatabase ldb = Fixtures.ldb("pf", "replicas: 0\n");
        assertThat(addresses("dns").of(ldb, "pf-0").host()).isEqualTo("pf-0.pf-instances." + ldb.getMetadata().getNamespace() + ".svc");
    }

    /** The part of kube-apiserver + kubelet a port-forward uses: each WebSocket stream relayed to the pod's port. */
    static final class PortForwardingApiServer extends Dispatcher {
        @Override
        public MockResponse dispatch(RecordedRequest request) {
            String path = request.getPath();
            var m = java.util.regex.Pattern.compile("^/api/v1/namespaces/([^/]+)/pods/([^/]+)/portforward\\?ports=(\\d+)$")
                    .matcher(path);
            if (!m.matches() || !podPorts.containsKey(m.group(2))) {
                return new MockResponse().setResponseCode(404).setBody("{\"kind\":\"Status\",\"code\":404}");
            }
            String pod = m.group(1) + "/" + m.group(2);
            int target = podPorts.get(m.group(2));
            int port = Integer.parseInt(m.group(3));
            return new MockResponse().setHeader("Sec-WebSocket-Protocol", "v4.channel.k8s.io")
                    .withWebSocketUpgrade(new WebSocketListener() {
                        Socket socket;

                        @Override
                        public void onOpen(WebSocket ws, io.fabric8.mockwebserver.http.Response response) {
                            forwardedPods.add(pod);
                            try {
                                socket = new Socket("127.0.0.1", target);
                            } catch (IOException e) {
                                ws.send(new byte[] { 1, (byte) port, (byte) (port >> 8) });
                                ws.close(1000, "");
                                return;
                            }
                            // each channel's first frame names the port: data (0), then error (1)
                            ws.send(new byte[] { 0, (byte) port, (byte) (port >> 8) });
                            ws.send(new byte[] { 1, (byte) port, (byte) (port >> 8) });
                            Thread reader = new Thread(() -> relay(ws), "port-forward-" + pod);
                            reader.setDaemon(true);
                            reader.start();
                        }

                        private void relay(WebSocket ws) {
                            byte[] buf = new byte[16384];
                            try (InputStream in = socket.getInputStream()) {
                                int n;
                                while ((n = in.read(buf)) > 0) {
                                    byte[] frame = new byte[n + 1];
                                    System.arraycopy(buf, 0, frame, 1, n);
                                    ws.send(frame);
                                }
                            } catch (IOException e) {
                                // the database or the stream closed
                            }
                            ws.close(1000, "");
                        }

                        @Override
                        public void onMessage(WebSocket ws, ByteString bytes) {
                            onMessage(ws, bytes.toByteArray());
                        }

                        @Override
                        public void onMessage(WebSocket ws, byte[] bytes) {
                            if (bytes.length > 1 && bytes[0] == 0 && socket != null) {
                                try {
                                    OutputStream out = socket.getOutputStream();
                                    out.write(Arrays.copyOfRange(bytes, 1, bytes.length));
                                    out.flush();
                                } catch (IOException e) {
                                    ws.close(1011, e.getMessage());
                                }
                            }
                        }

                        @Override
                        public void onClosed(WebSocket ws, int code, String reason) {
                            try {
                                if (socket != null) {
                                    socket.close();
                                }
                            } catch (IOException e) {
                                // closing
                            }
                        }
                    });
        }
    }
}
