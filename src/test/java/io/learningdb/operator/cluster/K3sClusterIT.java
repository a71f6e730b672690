package io.learningdb.operator.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Properties;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.images.builder.ImageFromDockerfile;
import org.testcontainers.images.builder.Transferable;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.k3s.K3sContainer;
import org.testcontainers.utility.DockerImageName;

import com.marcnuri.helm.Helm;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.LocalPortForward;
import io.learningdb.operator.install.HelmChart;
import io.learningdb.operator.model.LearningDatabase;
import io.learningdb.operator.resources.Labels;

/**
 * The real-cluster suite: k3s in a container, the operator image built from src/main/docker/Dockerfile.jvm and
 * imported into k3s's containerd, the Helm chart installed with it, then every sample applied. Checks what a user
 * checks: pods Ready, SQL through the -rw, -ro and -pooler Services, replication lag in status, the maintenance
 * CronJobs, and a failover after the primary pod is deleted.
 *
 * Needs Docker and internet access (k3s pulls postgres and PgBouncer images). Without Docker, JUnit reports it as
 * skipped: it has NOT run on the machine this project is developed on (no Docker there). Run it with
 * {@code ./mvnw verify -Dit.test=K3sClusterIT} after {@code ./mvnw package}.
 */
@Testcontainers(disabledWithoutDocker = true)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class K3sClusterIT {

    static final String IMAGE = "learningdb-operator:k3s-it";
    static final String NS = "lms";
    static final Duration READY = Duration.ofMinutes(8);

    @Container
    static final K3sContainer K3S = new K3sContainer(DockerImageName.parse("rancher/k3s:v1.31.4-k3s1"));

    static KubernetesClient client;
    static Path kubeconfig;

    @BeforeAll
    static void installOperator() throws Exception {
        kubeconfig = Files.createTempFile("k3s", ".yaml");
        Files.writeString(kubeconfig, K3S.getKubeConfigYaml());
        client = new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(K3S.getKubeConfigYaml())).build();

        // build the operator image from the packaged application and hand it to k3s's containerd
        assertThat(Path.of("target/quarkus-app/quarkus-run.jar")).as("run ./mvnw package first").exists();
        new ImageFromDockerfile(IMAGE, false)
                .withFileFromPath("target/quarkus-app", Path.of("target/quarkus-app"))
                .withFileFromPath("src/main/docker/Dockerfile.jvm", Path.of("src/main/docker/Dockerfile.jvm"))
                .withDockerfilePath("src/main/docker/Dockerfile.jvm")
                .get();
        try (InputStream tar = DockerClientFactory.instance().client().saveImageCmd(IMAGE).exec()) {
            K3S.copyFileToContainer(Transferable.of(tar.readAllBytes()), "/tmp/operator.tar");
        }
        var imported = K3S.execInContainer("ctr", "-n", "k8s.io", "images", "import", "/tmp/operator.tar");
        assertThat(imported.getExitCode()).as(imported.getStderr()).isZero();

        new Helm(HelmChart.CHART).install().withName(HelmChart.RELEASE).withNamespace(HelmChart.NAMESPACE)
                .createNamespace().withKubeConfig(kubeconfig)
                .set("image.repository", "docker.io/library/learningdb-operator").set("image.tag", "k3s-it")
                .set("image.pullPolicy", "Never")
                .waitReady().call();
        client.namespaces().resource(new io.fabric8.kubernetes.api.model.NamespaceBuilder()
                .withNewMetadata().withName(NS).endMetadata().build()).serverSideApply();
    }

    @AfterAll
    static void close() {
        if (client != null) {
            client.close();
        }
    }

    @Test
    @Order(1)
    void everySampleBecomesReadyWithSqlOnEveryService() throws Exception {
        for (Path sample : samples()) {
            for (HasMetadata o : client.load(Files.newInputStream(sample)).items()) {
                client.resource(o).inNamespace(NS).serverSideApply();
            }
        }
        for (LearningDatabase ldb : clusters()) {
            String name = ldb.getMetadata().getName();
            await().atMost(READY).pollInterval(Duration.ofSeconds(5)).until(() -> ready(name));
            int expected = 1 + ldb.getSpec().getReplicas();
            assertThat(client.pods().inNamespace(NS).withLabel(Labels.CLUSTER, name)
                    .withLabel(Labels.COMPONENT, Labels.COMPONENT_INSTANCE).list().getItems())
                    .hasSize(expected).allMatch(K3sClusterIT::podReady);
            Secret app = client.secrets().inNamespace(NS).withName(name + "-app").get();
            String user = decode(app, "username");
            String password = decode(app, "password");
            String db = ldb.getSpec().getBootstrap().getDatabase();
            assertThat(sql(name + "-rw", user, password, db, "SELECT pg_is_in_recovery()")).isEqualTo("f");
            assertThat(sql(name + "-ro", user, password, db, "SELECT pg_is_in_recovery()")).isEqualTo("t");
            assertThat(sql(name + "-pooler", user, password, db, "SELECT current_user")).isEqualTo(user);
        }
    }

    @Test
    @Order(2)
    void lagIsInStatusAndMaintenanceCronJobsExist() {
        for (LearningDatabase ldb : clusters()) {
            String name = ldb.getMetadata().getName();
            await().atMost(Duration.ofMinutes(2)).until(() -> {
                var s = client.resources(LearningDatabase.class).inNamespace(NS).withName(name).get().getStatus();
                return s != null && s.getInstances() != null && s.getInstances().stream()
                        .filter(i -> "replica".equals(i.getRole())).allMatch(i -> i.getLagBytes() != null)
                        && s.getConditions().stream().anyMatch(c -> c.getType().equals("ReplicationHealthy")
                                && c.getStatus().equals("True"));
            });
            if (ldb.getSpec().getPartitioning() != null) {
                assertThat(client.resources(CronJob.class).inNamespace(NS).withLabel(Labels.CLUSTER, name).list().getItems())
                        .isNotEmpty();
            }
        }
    }

    @Test
    @Order(3)
    void deletingThePrimaryPodFailsOverToAReplica() throws Exception {
        LearningDatabase ldb = clusters().stream()
                .filter(l -> l.getSpec().getReplicas() > 0).findFirst().orElseThrow();
        String name = ldb.getMetadata().getName();
        String before = ldb.getStatus().getPrimary();
        client.pods().inNamespace(NS).withName(before).withGracePeriod(0).delete();
        await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(2)).until(() -> {
            var s = client.resources(LearningDatabase.class).inNamespace(NS).withName(name).get().getStatus();
            return s.getPrimary() != null && !s.getPrimary().equals(before);
        });
        Secret app = client.secrets().inNamespace(NS).withName(name + "-app").get();
        await().atMost(Duration.ofMinutes(2)).ignoreExceptions().until(() -> "f".equals(
                sql(name + "-rw", decode(app, "username"), decode(app, "password"),
                        ldb.getSpec().getBootstrap().getDatabase(), "SELECT pg_is_in_recovery()")));
        // the old primary comes back as a replica and everything is Ready again
        await().atMost(READY).pollInterval(Duration.ofSeconds(5)).until(() -> ready(name));
    }

    private static boolean ready(String name) {
        var l = client.resources(LearningDatabase.class).inNamespace(NS).withName(name).get();
        return l != null && l.getStatus() != null && l.getStatus().getConditions() != null
                && l.getStatus().getConditions().stream().anyMatch(c -> c.getType().equals("Ready") && c.getStatus().equals("True"));
    }

    private static boolean podReady(Pod p) {
        return p.getStatus() != null && p.getStatus().getConditions() != null
                && p.getStatus().getConditions().stream().anyMatch(c -> c.getType().equals("Ready") && c.getStatus().equals("True"));
    }

    private static String sql(String service, String user, String password, String db, String query) throws Exception {
        try (LocalPortForward pf = client.services().inNamespace(NS).withName(service).portForward(5432)) {
            var props = new Properties();
            props.setProperty("user", user);
            props.setProperty("password", password);
            props.setProperty("sslmode", "require");
            try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + pf.getLocalPort() + "/" + db, props);
                    ResultSet rs = c.createStatement().executeQuery(query)) {
                rs.next();
                return rs.getString(1);
            }
        }
    }

    private static String decode(Secret s, String key) {
        return new String(Base64.getDecoder().decode(s.getData().get(key)), StandardCharsets.UTF_8);
    }

    /**
     * The samples' clusters this test can bring up. Not those with spec.backup or bootstrap.recovery: they need an
     * S3 store with real keys and the PostgreSQL image with pgBackRest, neither of which this test has (their parts
     * are tested on loopback with a real S3 server, and the samples themselves are validated by SamplesValidationTest).
     */
    private static List<LearningDatabase> clusters() {
        return client.resources(LearningDatabase.class).inNamespace(NS).list().getItems().stream()
                .filter(l -> l.getSpec().getBackup() == null && l.getSpec().getBootstrap().getRecovery() == null).toList();
    }

    private static List<Path> samples() throws Exception {
        try (var files = Files.list(Path.of("samples"))) {
            return files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
        }
    }
}
