package io.learningdb.operator.install;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.learningdb.operator.model.LearningDatabase;
import io.learningdb.operator.resources.Fixtures;
import io.learningdb.operator.resources.InstanceStatefulSet;
import io.learningdb.operator.resources.MaintenanceCronJob;
import io.learningdb.operator.resources.MaintenanceTask;
import io.learningdb.operator.resources.PoolerStatefulSet;

/**
 * Every workload the operator creates (instances, pooler, each maintenance CronJob) and the operator's own Deployment
 * meet the Kubernetes "restricted" Pod Security Standard, so they run in a namespace that enforces it.
 */
class WorkloadSecurityTest {

    static void assertRestricted(String what, PodSpec pod) {
        var psc = pod.getSecurityContext();
        assertThat(psc).as(what + " pod securityContext").isNotNull();
        assertThat(psc.getRunAsNonRoot()).as(what + " runAsNonRoot").isTrue();
        assertThat(psc.getRunAsUser()).as(what + " runAsUser").isNotNull().isPositive();
        assertThat(psc.getSeccompProfile().getType()).as(what + " seccomp").isEqualTo("RuntimeDefault");
        List<Container> containers = new ArrayList<>(pod.getContainers());
        if (pod.getInitContainers() != null) {
            containers.addAll(pod.getInitContainers());
        }
        for (Container c : containers) {
            var sc = c.getSecurityContext();
            String name = what + " container " + c.getName();
            assertThat(sc).as(name + " securityContext").isNotNull();
            assertThat(sc.getAllowPrivilegeEscalation()).as(name + " allowPrivilegeEscalation").isFalse();
            assertThat(sc.getPrivileged()).as(name + " privileged").isNotEqualTo(Boolean.TRUE);
            assertThat(sc.getReadOnlyRootFilesystem()).as(name + " readOnlyRootFilesystem").isTrue();
            assertThat(sc.getCapabilities().getDrop()).as(name + " capabilities").containsExactly("ALL");
            assertThat(sc.getCapabilities().getAdd()).as(name + " added capabilities").isNullOrEmpty();
        }
        assertThat(pod.getHostNetwork()).as(what + " hostNetwork").isNotEqualTo(Boolean.TRUE);
        assertThat(pod.getHostPID()).as(what + " hostPID").isNotEqualTo(Boolean.TRUE);
        assertThat(pod.getVolumes() == null ? List.of() : pod.getVolumes())
                .as(what + " hostPath volumes").noneMatch(v -> v.getHostPath() != null);
    }

    @Test
    void everyWorkloadTheOperatorCreatesIsRestricted() {
        LearningDatabase ldb = Fixtures.ldb("lms", """
                replicas: 2
                partitioning:
                  tables:
                    - table: public.events
                      column: ts
                materializedViews:
                  schedule: "*/10 * * * *"
                maintenance:
                  vacuum:
                    schedule: "30 2 * * *"
                  report: {}
                """);
        assertRestricted("instances", InstanceStatefulSet.build(ldb, "postgres:16", "h").getSpec().getTemplate().getSpec());
        assertRestricted("pooler", PoolerStatefulSet.build(ldb, "pgbouncer:1", "h").getSpec().getTemplate().getSpec());
        for (MaintenanceTask task : MaintenanceTask.values()) {
            assertRestricted(task.id() + " CronJob", MaintenanceCronJob.build(ldb, task, "postgres:16")
                    .getSpec().getJobTemplate().getSpec().getTemplate().getSpec());
        }
        assertRestricted("major upgrade Job", io.learningdb.operator.resources.UpgradeJob.build(ldb, 15, 16, "postgres:15",
                "postgres:16", "data-lms-0").getSpec().getTemplate().getSpec());
    }

    @Test
    void maintenanceJobsVerifyTheServerAndMountOnlyTheCaCertificate() {
        LearningDatabase ldb = Fixtures.ldb("lms", """
                partitioning:
                  tables:
                    - table: public.events
                      column: ts
                """);
        var pod = MaintenanceCronJob.build(ldb, MaintenanceTask.PARTITION_ROLLOVER, "postgres:16")
                .getSpec().getJobTemplate().getSpec().getTemplate().getSpec();
        var env = new java.util.HashMap<String, String>();
        pod.getContainers().get(0).getEnv().forEach(e -> env.put(e.getName(), e.getValue()));
        assertThat(env).containsEntry("PGSSLMODE", "verify-full")
                .containsEntry("PGSSLROOTCERT", MaintenanceCronJob.CA_MOUNT + "/ca.crt")
                .containsEntry("PGHOST", "lms-rw." + ldb.getMetadata().getNamespace() + ".svc");
        var ca = pod.getVolumes().stream().filter(v -> v.getSecret() != null).toList();
        assertThat(ca).singleElement().satisfies(v -> {
            assertThat(v.getSecret().getSecretName()).isEqualTo("lms-tls");
            assertThat(v.getSecret().getItems()).extracting(i -> i.getKey()).containsExactly("ca.crt");
        });

        LearningDatabase plain = Fixtures.ldb("lms", """
                tls:
                  enabled: false
                partitioning:
                  tables:
                    - table: public.events
                      column: ts
                """);
        var plainPod = MaintenanceCronJob.build(plain, MaintenanceTask.PARTITION_ROLLOVER, "postgres:16")
                .getSpec().getJobTemplate().getSpec().getTemplate().getSpec();
        assertThat(plainPod.getVolumes()).noneMatch(v -> v.getSecret() != null);
    }
}
