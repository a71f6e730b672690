package io.learningdb.operator.replication;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Event;
import io.learningdb.operator.model.LearningDatabase;
import io.learningdb.operator.postgres.LoopbackTopology;
import io.learningdb.operator.postgres.ObjectStoreAccess;
import io.learningdb.operator.postgres.RealPostgresAccess;
import io.learningdb.operator.rbac.OperatorRequests;
import io.learningdb.operator.rbac.OperatorTest;
import io.learningdb.operator.reconciler.FakeStatefulSetControllerAccess;
import io.learningdb.operator.resources.BackupConfig;
import io.learningdb.operator.resources.Credentials;
import io.learningdb.operator.resources.Fixtures;
import io.learningdb.operator.status.Conditions;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusMock;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;

/**
 * The operator watching a real primary whose archiving fails (a store that refuses its keys): the ContinuousArchiving
 * condition turns False with pgBackRest's reason, an event is recorded, the gauge the alert reads says failing, and
 * the database keeps serving.
 */
@QuarkusTest
@WithKubernetesTestServer(crud = true, setup = OperatorRequests.TestApiServer.class)
class ArchivingStatusTest extends OperatorTest {

    static final String NS = "archiving";
    static final String NAME = "arch";
    static final Duration TIMEOUT = Duration.ofSeconds(120);
    static LoopbackTopology topo;
    static LearningDatabase spec;
    static String specYaml;

    @TestHTTPResource("/q/metrics")
    URL metrics;

    @BeforeEach
    void topology() throws Exception {
        RealPostgresAccess.assumeAvailable();
        if (topo == null) {
            ObjectStoreAccess.start();
            ObjectStoreAccess.clearPodRunDir();
            specYaml = """
                    replicas: 0
                    replicationLag:
                      pollInterval: 1s
                    backup:
                      store:
                        endpoint: localhost
                        port: %d
                        bucket: %s
                        uriStyle: path
                        credentials:
                          secretName: s3
                    """.formatted(ObjectStoreAccess.port(), ObjectStoreAccess.bucket());
            spec = Fixtures.ldb(NAME, specYaml);
            topo = LoopbackTopology.create(spec);
            topo.instanceEnv(ObjectStoreAccess.env(spec, "REFUSED", "REFUSED"));
            topo.startPrimary(NAME + "-0");
        }
        QuarkusMock.installMockForType(new LoopbackAddresses(() -> topo), InstanceAddresses.class);
    }

    @AfterAll
    static void down() {
        if (topo != null) {
            topo.close();
            ObjectStoreAccess.stop();
            ObjectStoreAccess.clearPodRunDir();
        }
    }

    LearningDatabase ldb() {
        return client.resources(LearningDatabase.class).inNamespace(NS).withName(NAME).get();
    }

    Optional<Condition> archiving() {
        var l = ldb();
        return l == null || l.getStatus() == null ? Optional.empty()
                : Conditions.find(l.getStatus().getConditions(), Conditions.CONTINUOUS_ARCHIVING);
    }

    String scrape() throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(metrics.toString())).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    @Test
    void refusedKeysTurnContinuousArchivingFalseWithTheReasonAnEventAndTheGauge() throws Exception {
        var ldb = Fixtures.ldb(NAME, specYaml);
        ldb.getMetadata().setNamespace(NS);
        ldb.getMetadata().setUid(null);
        ldb.getMetadata().setGeneration(null);
        var secret = Credentials.superuser(ldb, topo.password("superuser"));
        secret.getMetadata().getLabels().clear();
        client.resource(secret).create();
        client.resource(ldb).create();
        var sts = FakeStatefulSetControllerAccess.create(client);
        await().atMost(TIMEOUT).until(() -> client.apps().statefulSets().inNamespace(NS).withName(NAME).get() != null);
        sts.run(NS, NAME, true);

        try (Connection c = topo.superuser(NAME + "-0")) {
            c.createStatement().execute("CREATE TABLE t (id int)");
            c.createStatement().execute("SELECT pg_switch_wal()");
        }
        await().atMost(TIMEOUT).untilAsserted(() -> {
            assertThat(archiving()).get().satisfies(c -> {
                assertThat(c.getStatus()).isEqualTo("False");
                assertThat(c.getReason()).isEqualTo("ArchivingFailing");
                assertThat(c.getMessage()).contains("403 (Forbidden)");
            });
            assertThat(ldb().getStatus().getBackup().getLastFailure()).contains("403");
            assertThat(client.v1().events().inNamespace(NS).list().getItems().stream()
                    .filter(e -> NAME.equals(e.getInvolvedObject().getName())).map(Event::getReason))
                    .contains("ArchivingFailing");
            assertThat(scrape()).contains("learningdb_wal_archiving_failing{cluster=\"arch\",namespace=\"archiving\"} 1.0");
        });
        try (Connection c = topo.superuser(NAME + "-0")) {
            c.createStatement().execute("INSERT INTO t VALUES (1)");
        }
    }
}
