package io.learningdb.operator.rbac;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.learningdb.operator.config.OperatorUserAgent;
import io.learningdb.operator.testapi.StrictApiServer;
import io.quarkus.test.kubernetes.client.KubernetesServer;

/**
 * The operator's API requests as the mock API server saw them. Tests act through {@link #testClient} (its own user
 * agent), so every request with the operator's user agent is something the operator's code did; operator tests
 * append them to target/rbac-observed/, from which {@code RbacDerivedFromCodeIT} derives the permissions the
 * operator needs and compares them with the chart's RBAC.
 */
public final class OperatorRequests {

    public static final String TEST_USER_AGENT = "learningdb-tests";
    public static final Path DIR = Path.of("target", "rbac-observed");
    public static final Path CRD = Path.of("crds", "learningdatabases.learningdb.io-v1.yml");

    private OperatorRequests() {
    }

    /**
     * The log is per test JVM: the first drain of a run removes the previous run's. A system property marks it (Quarkus
     * loads test classes in a class loader per application start, so a static field would not).
     */
    private static synchronized void cleanOnce() throws IOException {
        if (System.getProperty("rbac-observed.cleaned") == null) {
            System.setProperty("rbac-observed.cleaned", "true");
            if (Files.isDirectory(DIR)) {
                try (var files = Files.list(DIR)) {
                    for (Path f : files.toList()) {
                        Files.delete(f);
                    }
                }
            }
        }
    }

    /** A client for test code, distinguishable from the operator on the server side. */
    public static KubernetesClient testClient(KubernetesServer server) {
        return new KubernetesClientBuilder()
                .withConfig(new ConfigBuilder(server.getClient().getConfiguration()).withUserAgent(TEST_USER_AGENT).build())
                .build();
    }

    /** Takes every request the server recorded so far, appends the operator's to the observed log, returns them all. */
    public static List<RecordedRequest> drain(KubernetesServer server, String test) {
        var all = new ArrayList<RecordedRequest>();
        var lines = new StringBuilder();
        try {
            RecordedRequest r;
            while ((r = server.getKubernetesMockServer().takeRequest(50, TimeUnit.MILLISECONDS)) != null) {
                all.add(r);
                String agent = r.getHeader("User-Agent");
                if (agent != null && agent.startsWith(OperatorUserAgent.NAME)) {
                    lines.append(r.getMethod()).append(' ').append(r.getPath()).append('\n');
                }
            }
            cleanOnce();
            Files.createDirectories(DIR);
            Files.writeString(DIR.resolve(test + ".txt"), lines, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return all;
    }

    /**
     * The test API server every operator test runs on: the mock made strict where kube-apiserver is (resourceVersion
     * conflicts, immutable fields, name and label syntax: {@link StrictApiServer}), with the committed CRD installed
     * before the operator starts, as the Helm chart does (the operator itself only reads it: crd.apply is off in
     * production and tests alike).
     */
    public static class TestApiServer implements Consumer<KubernetesServer> {
        @Override
        public void accept(KubernetesServer server) {
            StrictApiServer.install(server.getKubernetesMockServer());
            try (var client = testClient(server); var in = Files.newInputStream(CRD)) {
                var crd = client.getKubernetesSerialization().unmarshal(in, CustomResourceDefinition.class);
                client.apiextensions().v1().customResourceDefinitions().resource(crd).create();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
