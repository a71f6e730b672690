package io.learningdb.operator.resources;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Volume;

class StatefulSetsTest {

    static void assertRestricted(PodSpec pod) {
        assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
        assertThat(pod.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
        assertThat(pod.getAutomountServiceAccountToken()).isFalse();
        for (Container c : pod.getContainers()) {
            assertThat(c.getSecurityContext().getRunAsNonRoot()).isTrue();
            assertThat(c.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
            assertThat(c.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
            assertThat(c.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
        }
    }

    @Test
    void instancesAreOnDeleteWithOnePvcEachAndFrozenSelector() {
        var ldb = Fixtures.ldb("replicas: 2\npostgres:\n  storage:\n    size: 50Gi\n    storageClassName: ssd\n");
        var sts = InstanceStatefulSet.build(ldb, "postgres:16", "abc");
        assertThat(sts.getMetadata().getName()).isEqualTo("courses");
        assertThat(sts.getSpec().getReplicas()).isEqualTo(3);
        assertThat(sts.getSpec().getUpdateStrategy().getType()).isEqualTo("OnDelete");
        assertThat(sts.getSpec().getSelector().getMatchLabels()).containsOnlyKeys(Labels.CLUSTER, Labels.COMPONENT);
        assertThat(sts.getSpec().getTemplate().getMetadata().getLabels()).doesNotContainKey(Labels.ROLE);
        assertThat(sts.getSpec().getTemplate().getMetadata().getAnnotations()).containsEntry(Labels.CONFIG_HASH, "abc");
        var pvc = sts.getSpec().getVolumeClaimTemplates().get(0);
        assertThat(pvc.getSpec().getStorageClassName()).isEqualTo("ssd");
        assertThat(pvc.getSpec().getResources().getRequests().get("storage").toString()).isEqualTo("50Gi");
        assertThat(sts.getSpec().getPersistentVolumeClaimRetentionPolicy().getWhenDeleted()).isEqualTo("Retain");
        assertRestricted(sts.getSpec().getTemplate().getSpec());
    }

    @Test
    void deletionPolicyDeleteRemovesPvcsWithTheCluster() {
        var sts = InstanceStatefulSet.build(Fixtures.ldb("deletionPolicy: Delete\n"), "postgres:16", "abc");
        assertThat(sts.getSpec().getPersistentVolumeClaimRetentionPolicy().getWhenDeleted()).isEqualTo("Delete");
        assertThat(sts.getSpec().getPersistentVolumeClaimRetentionPolicy().getWhenScaled()).isEqualTo("Retain");
    }

    @Test
    void roleReachesTheContainerThroughTheDownwardApiAndTheEntrypointIsTheRenderedScript() {
        var ldb = Fixtures.ldb("bootstrap:\n  initSQL:\n    name: schema\n    key: init.sql\n");
        var pod = InstanceStatefulSet.build(ldb, "postgres:16", "abc").getSpec().getTemplate().getSpec();
        Volume podinfo = pod.getVolumes().stream().filter(v -> v.getName().equals("podinfo")).findFirst().orElseThrow();
        assertThat(podinfo.getDownwardAPI().getItems().get(0).getFieldRef().getFieldPath()).isEqualTo("metadata.labels");
        Container c = pod.getContainers().get(0);
        assertThat(c.getCommand()).containsExactly("/bin/bash", "/etc/learningdb/scripts/instance.sh");
        assertThat(c.getEnv()).extracting(EnvVar::getName).contains("POD_NAME", "PGDATA", "PRIMARY_HOST", "INIT_SQL");
        assertThat(c.getEnv()).filteredOn(e -> e.getName().equals("PRIMARY_HOST")).singleElement()
                .satisfies(e -> assertThat(e.getValue()).isEqualTo("courses-rw.edu.svc"));
        assertThat(pod.getVolumes()).extracting(Volume::getName).contains("init-sql", "superuser", "replication",
                "app", "pooler-auth", "config", "scripts", "monitor");
    }

    @Test
    void everyInstancePodHasTheExporterSidecarOnItsUnixSocketWithTheMonitorLogin() {
        var ldb = Fixtures.ldb("bootstrap:\n  database: learning\n  owner: learning_app\n");
        var pod = InstanceStatefulSet.build(ldb, "postgres:16", "abc", "exporter:1").getSpec().getTemplate().getSpec();
        Container exporter = pod.getContainers().stream().filter(c -> c.getName().equals("exporter")).findFirst().orElseThrow();
        assertThat(exporter.getImage()).isEqualTo("exporter:1");
        assertThat(exporter.getArgs()).contains("--web.listen-address=:9187",
                "--extend.query-path=/etc/learningdb/scripts/exporter-queries.yaml");
        assertThat(exporter.getEnv()).extracting(e -> e.getName() + "=" + e.getValue()).containsExactly(
                "DATA_SOURCE_URI=:5432/learning?host=/var/run/postgresql&sslmode=disable",
                "DATA_SOURCE_USER=learningdb_monitor",
                "DATA_SOURCE_PASS_FILE=/etc/learningdb/secrets/monitor/password");
        assertThat(exporter.getPorts()).singleElement().satisfies(p -> {
            assertThat(p.getName()).isEqualTo("metrics");
            assertThat(p.getContainerPort()).isEqualTo(9187);
        });
        assertThat(exporter.getResources().getLimits()).containsKey("memory");
        assertThat(pod.getVolumes()).filteredOn(v -> v.getName().equals("monitor")).singleElement()
                .satisfies(v -> assertThat(v.getSecret().getSecretName()).isEqualTo("courses-monitor"));
        assertThat(ScriptsConfig.files()).containsKey("exporter-queries.yaml");
        // the instances' NetworkPolicy admits scrapes of that port from any namespace, and nothing more on it
        var policy = NetworkPolicies.instances(ldb, new NetworkPolicies.Operator(java.util.Optional.of("ops"),
                java.util.Map.of("app", "op")));
        assertThat(policy.getSpec().getIngress()).anySatisfy(rule -> {
            assertThat(rule.getPorts()).singleElement().satisfies(p -> assertThat(p.getPort().getIntVal()).isEqualTo(9187));
            assertThat(rule.getFrom()).singleElement().satisfies(f -> {
                assertThat(f.getNamespaceSelector().getMatchLabels()).isNullOrEmpty();
                assertThat(f.getPodSelector()).isNull();
            });
        });
    }

    @Test
    void poolerIsRollingWithRestrictedSecurity() {
        var sts = PoolerStatefulSet.build(Fixtures.ldb("pooler:\n  instances: 3\n"), "pgbouncer:1", "h");
        assertThat(sts.getMetadata().getName()).isEqualTo("courses-pooler");
        assertThat(sts.getSpec().getReplicas()).isEqualTo(3);
        assertThat(sts.getSpec().getUpdateStrategy().getType()).isEqualTo("RollingUpdate");
        var container = sts.getSpec().getTemplate().getSpec().getContainers().get(0);
        // pooler.sh (from the pooler ConfigMap) starts PgBouncer and reloads it when the TLS Secret changes
        assertThat(container.getCommand()).isEqualTo(List.of("/bin/sh", "/etc/pgbouncer/pooler.sh"));
        assertThat(container.getEnv()).extracting(e -> e.getName() + "=" + e.getValue()).contains(
                "PGBOUNCER_INI=/etc/pgbouncer/pgbouncer.ini", "TLS_DIR=/etc/pgbouncer/tls", "RUN_DIR=/tmp/pgbouncer");
        // the read-only root filesystem leaves it a memory-backed directory for its copy of the key
        assertThat(container.getVolumeMounts()).anySatisfy(m -> assertThat(m.getMountPath()).isEqualTo("/tmp/pgbouncer"));
        assertThat(sts.getSpec().getTemplate().getSpec().getVolumes()).anySatisfy(v -> {
            assertThat(v.getName()).isEqualTo("run");
            assertThat(v.getEmptyDir().getMedium()).isEqualTo("Memory");
        });
        assertThat(PoolerConfig.build(Fixtures.ldb("replicas: 1\n")).getData())
                .containsEntry(PoolerConfig.POOLER_SH, PoolerConfig.poolerScript());
        assertRestricted(sts.getSpec().getTemplate().getSpec());
    }

    @Test
    void configHashChangesWithContentOnly() {
        var a = PostgresConfig.build(Fixtures.ldb("replicas: 1\n"));
        var b = PostgresConfig.build(Fixtures.ldb("replicas: 1\n"));
        var c = PostgresConfig.build(Fixtures.ldb("replicas: 1\npostgres:\n  parameters:\n    work_mem: 8MB\n"));
        assertThat(ConfigHash.of(a)).isEqualTo(ConfigHash.of(b)).isNotEqualTo(ConfigHash.of(c));
    }
}
