package io.learningdb.operator.replication;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Pod;
import io.learningdb.operator.model.InstanceStatus;
import io.learningdb.operator.model.LearningDatabase;
import io.learningdb.operator.postgres.LoopbackTopology;
import io.learningdb.operator.postgres.RealPostgresAccess;
import io.learningdb.operator.rbac.OperatorRequests;
import io.learningdb.operator.rbac.OperatorTest;
import io.learningdb.operator.reconciler.FakeStatefulSetControllerAccess;
import io.learningdb.operator.resources.Credentials;
import io.learningdb.operator.resources.Fixtures;
import io.learningdb.operator.status.Conditions;
import io.learningdb.operator.status.Rollout;
import io.quarkus.test.junit.QuarkusMock;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;

/**
 * The operator (on the strict test API server) rolling out parameter changes to real instances run by instance.sh:
 * a reloadable change restarts nothing; a change PostgreSQL applies only on restart restarts the replicas one at a
 * time, each only after it restarted with the new value, then plans the primary's switchover. The test plays kubelet:
 * it mounts the ConfigMap the operator wrote into the instances' config directory, and restarts a deleted pod.
 */
@QuarkusTest
@org.junit.jupiter.api.TestMethodOrder(org.junit.jupiter.api.MethodOrderer.OrderAnnotation.class)
@WithKubernetesTestServer(crud = true, setup = OperatorRequests.TestApiServer.class)
class ConfigRolloutTest extends OperatorTest {

    static final String NS = "rollout";
    static final String NAME = "roll";
    static final Duration TIMEOUT = Duration.ofSeconds(90);
    static final String SPEC = """
            replicas: 2
            postgres:
              parameters:
                work_mem: "%s"
                shared_buffers: "%s"
            pooler:
              instances: 1
              defaultPoolSize: %d
            replicationLag:
              pollInterval: 1s
            tls:
              serverSecretName: roll-own-tls
            """;
    static LoopbackTopology topo;

    @BeforeEach
    void topology() {
        RealPostgresAccess.assumeAvailable();
        if (topo == null) {
            // started by the test once the pods exist: a container starts after its pod is created
            var ldb = Fixtures.ldb(NAME, SPEC.formatted("4MB", "32MB", 20));
            ldb.getMetadata().setNamespace(NS); // its certificate covers the cluster's service names in NS
            topo = LoopbackTopology.create(ldb);
        }
        QuarkusMock.installMockForType(new LoopbackAddresses(() -> topo), InstanceAddresses.class);
    }

    @AfterAll
    static void down() {
        if (topo != null) {
            topo.close();
        }
    }

    LearningDatabase ldb() {
        return client.resources(LearningDatabase.class).inNamespace(NS).withName(NAME).get();
    }

    Optional<Condition> condition(String type) {
        var l = ldb();
        return l == null || l.getStatus() == null ? Optional.empty() : Conditions.find(l.getStatus().getConditions(), type);
    }

    List<Event> events() {
        return client.v1().events().inNamespace(NS).list().getItems().stream()
                .filter(e -> NAME.equals(e.getInvolvedObject().getName())).toList();
    }

    Map<String, String> podUids() {
        return client.pods().inNamespace(NS).withLabel("learningdb.io/cluster", NAME).list().getItems().stream()
                .filter(p -> p.getMetadata().getName().matches(NAME + "-[0-9]+"))
                .collect(Collectors.toMap(p -> p.getMetadata().getName(), p -> p.getMetadata().getUid()));
    }

    void change(String workMem, String sharedBuffers) {
        updateLearningDatabase(NS, NAME, l -> {
            l.getSpec().getPostgres().getParameters().put("work_mem", workMem);
            l.getSpec().getPostgres().getParameters().put("shared_buffers", sharedBuffers);
        });
    }

    /** kubelet's view of the operator's ConfigMap, once it has the change; mounted into the instances. */
    ConfigMap awaitConfigMapWith(String line) {
        await().atMost(TIMEOUT).until(() -> client.configMaps().inNamespace(NS).withName(NAME + "-postgres-config").get()
                .getData().get("postgresql.conf").contains(line));
        return client.configMaps().inNamespace(NS).withName(NAME + "-postgres-config").get();
    }

    static String show(String instance, String parameter) throws Exception {
        try (Connection c = topo.superuser(instance); ResultSet rs = c.createStatement().executeQuery("SHOW " + parameter)) {
            rs.next();
            return rs.getString(1);
        }
    }

    /**
     * The StatefulSet controller re-creating a pod the operator deleted, and kubelet starting its container (instance.sh)
     * again on the same data: the old container stops, the new pod exists before its container starts.
     */
    void restartDeletedPod(String pod) {
        var sts = FakeStatefulSetControllerAccess.create(client);
        topo.terminate(pod);
        try {
            topo.instance(pod).process().waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        sts.createMissing(NS, NAME);
        topo.start(pod, "replica", topo.instance(NAME + "-0"));
        sts.setReady(NS, pod, true);
    }

    /** The cluster both tests use, created once: the operator brings it to UpToDate. */
    void ensureCluster() {
        if (ldb() != null) {
            return;
        }
        var ldb = Fixtures.ldb(NAME, SPEC.formatted("4MB", "32MB", 20));
        ldb.getMetadata().setNamespace(NS);
        ldb.getMetadata().setUid(null);
        ldb.getMetadata().setGeneration(null);
        var secret = Credentials.superuser(ldb, topo.password("superuser"));
        secret.getMetadata().getLabels().clear();
        client.resource(secret).create();
        // the pooler's login too, as the test's PgBouncer has it: the operator's RELOAD logs in with it
        var poolerAuth = Credentials.poolerAuth(ldb, topo.password("pooler-auth"));
        poolerAuth.getMetadata().getLabels().clear();
        client.resource(poolerAuth).create();
        // the certificate the test's instances and PgBouncer serve (it also names 127.0.0.1), brought by the user: the
        // pods report it loaded (a rollout is done only once every pod runs the TLS Secret)
        var tls = topo.tlsSecret();
        tls.getMetadata().setName("roll-own-tls");
        tls.getMetadata().getLabels().clear();
        client.resource(tls).create();
        client.resource(ldb).create();
        var sts = FakeStatefulSetControllerAccess.create(client);
        await().atMost(TIMEOUT).until(() -> client.apps().statefulSets().inNamespace(NS).withName(NAME).get() != null
                && client.apps().statefulSets().inNamespace(NS).withName(NAME + "-pooler").get() != null);
        sts.run(NS, NAME, false);
        topo.startPrimary(NAME + "-0");
        topo.startReplica(NAME + "-1", NAME + "-0");
        topo.startReplica(NAME + "-2", NAME + "-0");
        topo.startPooler(NAME + "-0");
        sts.run(NS, NAME, true);
        sts.run(NS, NAME + "-pooler", true);
        await().atMost(TIMEOUT).untilAsserted(() -> assertThat(condition(Conditions.PROGRESSING)).hasValueSatisfying(c ->
                assertThat(c.getReason()).as(c.getMessage()).isEqualTo(Rollout.UP_TO_DATE)));
    }

    @Test
    @Order(2)
    void aReloadableChangeRestartsNothingAndARestartOnlyChangeRollsReplicasThenPlansASwitchover() throws Exception {
        ensureCluster();
        var uids = podUids();
        assertThat(uids).hasSize(3);

        // work_mem: reloaded on every instance, no pod deleted
        change("64MB", "32MB");
        var config = awaitConfigMapWith("work_mem = '64MB'");
        // kubelet has not updated the mounted files yet: the operator says the instances are on the old version
        await().atMost(TIMEOUT).untilAsserted(() -> assertThat(condition(Conditions.PROGRESSING))
                .hasValueSatisfying(c -> assertThat(c.getReason()).isEqualTo(Rollout.CONFIGURATION_RELOADING)));
        topo.mountPostgresConfig(config.getData());
        await().atMost(TIMEOUT).untilAsserted(() -> {
            for (String i : List.of(NAME + "-0", NAME + "-1", NAME + "-2")) {
                assertThat(show(i, "work_mem")).as(i).isEqualTo("64MB");
            }
            assertThat(condition(Conditions.PROGRESSING)).hasValueSatisfying(c -> {
                assertThat(c.getStatus()).isEqualTo("False");
                assertThat(c.getReason()).isEqualTo(Rollout.UP_TO_DATE);
            });
        });
        Thread.sleep(3000); // a few probe rounds: still nothing restarts
        assertThat(podUids()).isEqualTo(uids);
        assertThat(events()).extracting(Event::getReason).doesNotContain("RollingUpdate")
                .contains(Rollout.CONFIGURATION_RELOADING, Rollout.UP_TO_DATE);

        // shared_buffers: pending a restart everywhere; replicas restart one at a time, lowest ordinal first
        change("64MB", "48MB");
        topo.mountPostgresConfig(awaitConfigMapWith("shared_buffers = '48MB'").getData());
        await().atMost(TIMEOUT).until(() -> client.pods().inNamespace(NS).withName(NAME + "-1").get() == null);
        assertThat(client.pods().inNamespace(NS).withName(NAME + "-2").get().getMetadata().getUid())
                .isEqualTo(uids.get(NAME + "-2"));
        assertThat(client.pods().inNamespace(NS).withName(NAME + "-0").get().getMetadata().getUid())
                .isEqualTo(uids.get(NAME + "-0"));
        // the status of the reconcile that deleted the pod is written just after the deletion
        await().atMost(TIMEOUT).untilAsserted(() -> {
            assertThat(ldb().getStatus().getInstances()).filteredOn(i -> !i.getName().equals(NAME + "-1"))
                    .extracting(InstanceStatus::getPendingRestart).containsOnly(List.of("shared_buffers"));
            assertThat(condition(Conditions.PROGRESSING)).hasValueSatisfying(c -> {
                assertThat(c.getReason()).isEqualTo(Rollout.ROLLING_RESTART);
                assertThat(c.getMessage()).contains(NAME + "-2 (shared_buffers takes effect on restart)");
            });
        });
        assertThat(events()).filteredOn(e -> "RollingUpdate".equals(e.getReason())).extracting(Event::getMessage)
                .anySatisfy(m -> assertThat(m).contains("restarting replica " + NAME + "-1: shared_buffers takes effect on restart"));
        restartDeletedPod(NAME + "-1");
        assertThat(show(NAME + "-1", "shared_buffers")).isEqualTo("48MB");

        // the restarted replica reads as updated; the next one goes, and only then
        await().atMost(TIMEOUT).until(() -> client.pods().inNamespace(NS).withName(NAME + "-2").get() == null);
        assertThat(client.pods().inNamespace(NS).withName(NAME + "-1").get()).isNotNull();
        restartDeletedPod(NAME + "-2");

        // only the primary waits: the operator records a switchover to an updated replica (never deletes the primary)
        await().atMost(TIMEOUT).untilAsserted(() -> assertThat(events()).filteredOn(e -> "RollingUpdateSwitchover"
                .equals(e.getReason())).extracting(Event::getMessage).anySatisfy(m -> assertThat(m)
                        .contains("to restart " + NAME + "-0 (shared_buffers takes effect on restart)")));
        Pod primary = client.pods().inNamespace(NS).withName(NAME + "-0").get();
        assertThat(primary == null ? uids.get(NAME + "-0") : primary.getMetadata().getUid())
                .isEqualTo(uids.get(NAME + "-0"));
    }

    @Test
    @Order(1)
    void aPoolerSettingIsAppliedByReloadWithoutRestartingThePoolerOrDisconnectingAClient() throws Exception {
        ensureCluster();
        String poolerUid = client.pods().inNamespace(NS).withName(NAME + "-pooler-0").get().getMetadata().getUid();
        String template = client.apps().statefulSets().inNamespace(NS).withName(NAME + "-pooler").get().getSpec()
                .getTemplate().getMetadata().getAnnotations().toString();
        long pid = topo.pooler().pid();
        try (Connection app = topo.appThroughPooler()) {
            updateLearningDatabase(NS, NAME, l -> l.getSpec().getPooler().setDefaultPoolSize(35));
            await().atMost(TIMEOUT).until(() -> client.configMaps().inNamespace(NS).withName(NAME + "-pooler-config").get()
                    .getData().get("pgbouncer.ini").contains("default_pool_size = 35"));
            // not mounted yet: the operator's RELOAD reads the old file, and it says what is not applied
            await().atMost(TIMEOUT).untilAsserted(() -> assertThat(condition(Conditions.PROGRESSING)).hasValueSatisfying(c -> {
                assertThat(c.getReason()).isEqualTo(Rollout.POOLER_RELOADING);
                assertThat(c.getMessage()).contains(NAME + "-pooler-0 (default_pool_size: 20 → 35)");
            }));
            topo.reconfigure(ldb()); // kubelet updates the mounted pgbouncer.ini
            await().atMost(TIMEOUT).untilAsserted(() -> {
                assertThat(events()).filteredOn(e -> "PoolerReloaded".equals(e.getReason())).extracting(Event::getMessage)
                        .anySatisfy(m -> assertThat(m).contains(NAME + "-pooler-0").contains("default_pool_size: 20 → 35"));
                assertThat(condition(Conditions.PROGRESSING)).hasValueSatisfying(c -> assertThat(c.getReason())
                        .isNotEqualTo(Rollout.POOLER_RELOADING));
            });
            try (ResultSet rs = app.createStatement().executeQuery("SELECT current_user")) {
                assertThat(rs.next()).as("the client connected before the change still works").isTrue();
            }
        }
        assertThat(topo.pooler().pid()).isEqualTo(pid);
        assertThat(client.pods().inNamespace(NS).withName(NAME + "-pooler-0").get().getMetadata().getUid()).isEqualTo(poolerUid);
        assertThat(client.apps().statefulSets().inNamespace(NS).withName(NAME + "-pooler").get().getSpec()
                .getTemplate().getMetadata().getAnnotations().toString()).as("no roll of the pooler pods").isEqualTo(template);
    }
}
