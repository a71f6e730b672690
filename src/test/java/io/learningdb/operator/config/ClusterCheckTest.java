package io.learningdb.operator.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ConnectException;
import java.net.ServerSocket;
import java.net.UnknownHostException;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** A newcomer without a cluster gets one line saying what is missing and how to get one; with a cluster, nothing. */
class ClusterCheckTest {

    static final ClusterCheck.Network NOTHING_RESOLVES = new ClusterCheck.Network() {
        @Override
        public void resolve(String host) throws UnknownHostException {
            throw new UnknownHostException(host);
        }

        @Override
        public void connect(String host, int port) {
        }
    };

    @Test
    void noKubeContextOutsideAPodSaysWhatIsMissingAndHowToGetACluster() {
        var problem = ClusterCheck.problem("https://kubernetes.default.svc/", Map.of(), NOTHING_RESOLVES);
        assertThat(problem).hasValueSatisfying(line -> {
            assertThat(line).doesNotContain("\n")
                    .contains("no kube context", "not running in a pod", "Docker", "kind create cluster", "k3d cluster create");
        });
    }

    @Test
    void aKubeContextWhoseApiServerIsDownIsNamed() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort(); // closed again: nothing listens there
        }
        var problem = ClusterCheck.problem("https://127.0.0.1:" + port, Map.of(), ClusterCheck.REAL);
        assertThat(problem).hasValueSatisfying(line -> assertThat(line)
                .contains("https://127.0.0.1:" + port, "does not answer", "is the cluster running?").doesNotContain("\n"));

        var unresolvable = ClusterCheck.problem("https://api.gone.example:6443", Map.of(), NOTHING_RESOLVES);
        assertThat(unresolvable).hasValueSatisfying(line -> assertThat(line).contains("api.gone.example", "does not resolve"));
    }

    @Test
    void aReachableApiServerPasses() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            assertThat(ClusterCheck.problem("https://127.0.0.1:" + s.getLocalPort(), Map.of(), ClusterCheck.REAL)).isEmpty();
        }
        // in a pod the service address comes from the environment; a connection failure there is still reported
        var inPod = ClusterCheck.problem("https://kubernetes.default.svc/", Map.of("KUBERNETES_SERVICE_HOST", "10.96.0.1"),
                new ClusterCheck.Network() {
                    @Override
                    public void resolve(String host) {
                    }

                    @Override
                    public void connect(String host, int port) throws IOException {
                        throw new ConnectException("Connection refused");
                    }
                });
        assertThat(inPod).hasValueSatisfying(line -> assertThat(line).contains("does not answer"));
    }
}
