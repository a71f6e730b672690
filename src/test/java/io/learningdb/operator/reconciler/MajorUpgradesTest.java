package io.learningdb.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.learningdb.operator.model.InstanceStatus;
import io.learningdb.operator.model.LearningDatabase;
import io.learningdb.operator.model.LearningDatabaseStatus;
import io.learningdb.operator.model.MajorUpgradeStatus;
import io.learningdb.operator.resources.Fixtures;
import io.learningdb.operator.resources.InstanceStatefulSet;
import io.learningdb.operator.resources.UpgradeJob;

/** The major upgrade's decision over a snapshot: when it may start, each step, and what the instances run. */
class MajorUpgradesTest {

    static final Instant NOW = Instant.parse("2026-12-03T09:00:00Z");
    static final String OLD = "docker.io/library/postgres:15.20";
    static final String NEW = "docker.io/library/postgres:16.16";

    static LearningDatabase cluster(int specVersion, Integer served, MajorUpgradeStatus upgrade, Map<String, String> annotations) {
        var ldb = Fixtures.ldb("lms", "replicas: 1\npostgres:\n  version: " + specVersion + "\n");
        ldb.getMetadata().setAnnotations(annotations);
        var status = new LearningDatabaseStatus();
        status.setPrimary("lms-0");
        status.setPostgresVersion(served);
        status.setMajorUpgrade(upgrade);
        ldb.setStatus(status);
        return ldb;
    }

    static Pod instance(String name, String image, boolean ready) {
        return new PodBuilder().withNewMetadata().withName(name).endMetadata()
                .withNewSpec().addNewContainer().withName(InstanceStatefulSet.CONTAINER).withImage(image).endContainer().endSpec()
                .withNewStatus().addNewCondition().withType("Ready").withStatus(ready ? "True" : "False").endCondition()
                .endStatus().build();
    }

    static List<Pod> running(String image) {
        return List.of(instance("lms-0", image, true), instance("lms-1", image, true));
    }

    static MajorUpgrades.Observed observed(List<Pod> instances, Optional<Job> job, List<Pod> jobPods, Optional<Instant> backup) {
        return new MajorUpgrades.Observed(instances, job, jobPods, OLD, NEW, backup, NOW);
    }

    static MajorUpgradeStatus phase(String phase) {
        var r = new MajorUpgradeStatus();
        r.setFrom(15);
        r.setTo(16);
        r.setPhase(phase);
        r.setPrimary("lms-0");
        r.setFromImage(OLD);
        r.setToImage(NEW);
        r.setApprovedBy("16");
        r.setStartedAt(NOW.minusSeconds(60).toString());
        return r;
    }

    static Job job(Integer succeeded, boolean failed) {
        var b = new JobBuilder().withNewMetadata().withName("lms-upgrade-16").endMetadata().withNewStatus()
                .withSucceeded(succeeded);
        if (failed) {
            b.addNewCondition().withType("Failed").withStatus("True").endCondition();
        }
        return b.endStatus().build();
    }

    static Pod jobPod(String phase, String message) {
        return new PodBuilder().withNewMetadata().withName("lms-upgrade-16-x").withCreationTimestamp(NOW.toString()).endMetadata()
                .withNewStatus().withPhase(phase).addNewContainerStatus().withName(UpgradeJob.CONTAINER).withNewState()
                .withNewTerminated().withExitCode("Failed".equals(phase) ? 3 : 0).withMessage(message).endTerminated()
                .endState().endContainerStatus().endStatus().build();
    }

    @Test
    void aHigherVersionWithoutApprovalIsHeldAndTheInstancesKeepTheImageTheyRun() {
        var ldb = cluster(16, 15, null, null);

        var d = MajorUpgrades.decide(ldb, observed(running(OLD), Optional.empty(), List.of(), Optional.empty()));

        assertThat(d.next()).isNull();
        assertThat(d.held()).contains("postgres.version 16 is above the 15 the data is on")
                .contains("learningdb.io/approve-major-upgrade=16");
        assertThat(MajorUpgrades.instanceImage(ldb, NEW, Optional.of(OLD), OLD))
                .as("the served major's catalogue image (its minor updates still roll)").isEqualTo(OLD);
        ldb.getSpec().getPostgres().setImage("registry.example.com/pg:16-custom");
        assertThat(MajorUpgrades.instanceImage(ldb, "registry.example.com/pg:16-custom", Optional.of("registry.example.com/pg:15-custom"), OLD))
                .as("an image of the user's own names the new major: the running one stays").isEqualTo("registry.example.com/pg:15-custom");
    }

    @Test
    void anApprovalNamingAnotherVersionOrABackupOlderThanADayApprovesNothing() {
        var ldb = cluster(16, 15, null, Map.of(MajorUpgrades.APPROVAL_ANNOTATION, "17"));
        var d = MajorUpgrades.decide(ldb, observed(running(OLD), Optional.empty(), List.of(),
                Optional.of(NOW.minus(Duration.ofHours(25)))));
        assertThat(d.next()).isNull();
        assertThat(d.held()).isNotNull();
    }

    @Test
    void theApprovalAnnotationStartsItWithIntentRecordedBeforeAnythingStops() {
        var ldb = cluster(16, 15, null, Map.of(MajorUpgrades.APPROVAL_ANNOTATION, "16"));

        var d = MajorUpgrades.decide(ldb, observed(running(OLD), Optional.empty(), List.of(), Optional.empty()));

        assertThat(d.held()).isNull();
        assertThat(d.action()).isEqualTo(MajorUpgrades.Action.NONE);
        assertThat(d.next().getPhase()).isEqualTo(MajorUpgrades.STOPPING);
        assertThat(d.next().getFrom()).isEqualTo(15);
        assertThat(d.next().getTo()).isEqualTo(16);
        assertThat(d.next().getPrimary()).isEqualTo("lms-0");
        assertThat(d.next().getFromImage()).isEqualTo(OLD);
        assertThat(d.next().getToImage()).isEqualTo(NEW);
        assertThat(d.next().getApprovedBy()).isEqualTo("16");
        assertThat(d.event()).contains("upgrading PostgreSQL 15 to 16");
    }

    @Test
    void aBackupOfTheLastDayApprovesIt() {
        var ldb = cluster(16, 15, null, null);
        Instant backup = NOW.minus(Duration.ofHours(3));
        var d = MajorUpgrades.decide(ldb, observed(running(OLD), Optional.empty(), List.of(), Optional.of(backup)));
        assertThat(d.next().getPhase()).isEqualTo(MajorUpgrades.STOPPING);
        assertThat(d.next().getApprovedBy()).isEqualTo("backup " + backup);
    }

    @Test
    void itWaitsForAReadyPrimaryAndNoSwitchoverUnderWay() {
        var ldb = cluster(16, 15, null, Map.of(MajorUpgrades.APPROVAL_ANNOTATION, "16"));
        var notReady = MajorUpgrades.decide(ldb, observed(List.of(instance("lms-0", OLD, false), instance("lms-1", OLD, true)),
                Optional.empty(), List.of(), Optional.empty()));
        assertThat(notReady.next()).isNull();
        assertThat(notReady.held()).contains("waits for a ready primary");

        ldb.getStatus().setTargetPrimary("lms-1");
        var switching = MajorUpgrades.decide(ldb, observed(running(OLD), Optional.empty(), List.of(), Optional.empty()));
        assertThat(switching.next()).isNull();
    }

    @Test
    void whileStoppingTheInstancesRunTheOldImageOnNoPodAndTheJobIsCreatedOnceNoneIsLeft() {
        var ldb = cluster(16, 15, phase(MajorUpgrades.STOPPING), null);
        assertThat(InstanceStatefulSet.instances(ldb)).isZero();
        assertThat(MajorUpgrades.instanceImage(ldb, NEW, Optional.of(OLD), "x")).isEqualTo(OLD);
        assertThat(MajorUpgrades.underWay(ldb)).isTrue();

        var stopping = MajorUpgrades.decide(ldb, observed(List.of(instance("lms-1", OLD, false)), Optional.empty(), List.of(),
                Optional.empty()));
        assertThat(stopping.next().getPhase()).isEqualTo(MajorUpgrades.STOPPING);
        assertThat(stopping.action()).isEqualTo(MajorUpgrades.Action.NONE);

        var stopped = MajorUpgrades.decide(ldb, observed(List.of(), Optional.empty(), List.of(), Optional.empty()));
        assertThat(stopped.next().getPhase()).isEqualTo(MajorUpgrades.UPGRADING);
        assertThat(stopped.action()).isEqualTo(MajorUpgrades.Action.CREATE_JOB);
    }

    @Test
    void aSucceededJobStartsTheInstancesOnTheNewImageUnderTheNewSystemIdentifier() {
        var ldb = cluster(16, 15, phase(MajorUpgrades.UPGRADING), null);
        assertThat(MajorUpgrades.decide(ldb, observed(List.of(), Optional.empty(), List.of(), Optional.empty())).action())
                .as("the Job is missing (its creation was lost): created again").isEqualTo(MajorUpgrades.Action.CREATE_JOB);
        assertThat(MajorUpgrades.decide(ldb, observed(List.of(), Optional.of(job(null, false)), List.of(), Optional.empty()))
                .next().getPhase()).isEqualTo(MajorUpgrades.UPGRADING);

        var pods = List.of(jobPod("Succeeded", "upgraded /var/lib/postgresql/data/pgdata from PostgreSQL 15 to 16 "
                + "(system identifier 7450000000000000123)"));
        var d = MajorUpgrades.decide(ldb, observed(List.of(), Optional.of(job(1, false)), pods, Optional.empty()));

        assertThat(d.next().getPhase()).isEqualTo(MajorUpgrades.STARTING);
        assertThat(MajorUpgrades.systemIdentifier(pods)).contains("7450000000000000123");
        ldb.getStatus().setMajorUpgrade(d.next());
        assertThat(InstanceStatefulSet.instances(ldb)).isEqualTo(2);
        assertThat(MajorUpgrades.instanceImage(ldb, NEW, Optional.of(OLD), "x")).isEqualTo(NEW);
    }

    @Test
    void theUpgradeCompletesOnceThePrimaryIsReadyOnTheNewImage() {
        var ldb = cluster(16, 16, phase(MajorUpgrades.STARTING), null);
        var old = MajorUpgrades.decide(ldb, observed(List.of(instance("lms-0", OLD, true)), Optional.empty(), List.of(),
                Optional.empty()));
        assertThat(old.next().getPhase()).isEqualTo(MajorUpgrades.STARTING);

        var d = MajorUpgrades.decide(ldb, observed(List.of(instance("lms-0", NEW, true), instance("lms-1", NEW, false)),
                Optional.empty(), List.of(), Optional.empty()));
        assertThat(d.next().getPhase()).isEqualTo(MajorUpgrades.COMPLETED);
        assertThat(d.event()).contains("completed");
        ldb.getStatus().setMajorUpgrade(d.next());
        assertThat(MajorUpgrades.underWay(ldb)).isFalse();
        assertThat(MajorUpgrades.instanceImage(ldb, NEW, Optional.of(NEW), "x")).isEqualTo(NEW);
        assertThat(MajorUpgrades.decide(ldb, observed(running(NEW), Optional.empty(), List.of(), Optional.empty())).held())
                .isNull();
    }

    @Test
    void aFailedJobBringsTheOldImageBackAndIsRetriedOnlyOnANewApproval() {
        var ldb = cluster(16, 15, phase(MajorUpgrades.UPGRADING), Map.of(MajorUpgrades.APPROVAL_ANNOTATION, "16"));
        var pods = List.of(jobPod("Failed", "pg_upgrade --check failed, the old cluster is untouched and can start again: "
                + "Checking for reg* data types in user tables fatal"));

        var d = MajorUpgrades.decide(ldb, observed(List.of(), Optional.of(job(null, true)), pods, Optional.empty()));

        assertThat(d.next().getPhase()).isEqualTo(MajorUpgrades.FAILED);
        assertThat(d.next().getMessage()).contains("reg* data types");
        ldb.getStatus().setMajorUpgrade(d.next());
        assertThat(InstanceStatefulSet.instances(ldb)).isEqualTo(2);
        assertThat(MajorUpgrades.instanceImage(ldb, NEW, Optional.of(OLD), OLD)).isEqualTo(OLD);

        var same = MajorUpgrades.decide(ldb, observed(running(OLD), Optional.empty(), List.of(), Optional.empty()));
        assertThat(same.next().getPhase()).isEqualTo(MajorUpgrades.FAILED);
        assertThat(same.held()).contains("failed").contains("16-retry");

        ldb.getMetadata().setAnnotations(Map.of(MajorUpgrades.APPROVAL_ANNOTATION, "16-retry"));
        var again = MajorUpgrades.decide(ldb, observed(running(OLD), Optional.empty(), List.of(), Optional.empty()));
        assertThat(again.next().getPhase()).isEqualTo(MajorUpgrades.STOPPING);
        assertThat(again.next().getApprovedBy()).isEqualTo("16-retry");
    }

    @Test
    void theJobGivesUpgradeShEveryVariableItRequires() {
        String script = io.learningdb.operator.resources.ScriptsConfig.files().get(io.learningdb.operator.resources.ScriptsConfig.UPGRADE_SH);
        var required = java.util.regex.Pattern.compile(": \"\\$\\{(\\w+):\\?").matcher(script).results()
                .map(m -> m.group(1)).toList();
        assertThat(required).containsExactlyInAnyOrder("PGDATA", "OLD_BINDIR", "NEW_BINDIR");
        assertThat(UpgradeJob.env(15, 16)).extracting(io.fabric8.kubernetes.api.model.EnvVar::getName)
                .containsAll(required).contains("SECRETS_DIR", "RUN_DIR", "TERMINATION_LOG");
        var job = UpgradeJob.build(cluster(16, 15, null, null), 15, 16, OLD, NEW, "data-lms-0");
        var mounts = job.getSpec().getTemplate().getSpec().getContainers().get(0).getVolumeMounts();
        assertThat(mounts).extracting(m -> m.getMountPath()).contains("/var/lib/postgresql/data", "/usr/lib/postgresql/15",
                "/usr/share/postgresql/15", InstanceStatefulSet.SCRIPTS_MOUNT, InstanceStatefulSet.SECRETS_MOUNT + "/superuser");
        assertThat(job.getSpec().getTemplate().getSpec().getRestartPolicy()).isEqualTo("Never");
    }

    @Test
    void theServedMajorComesFromStatusElseFromWhatTheInstancesReportElseFromTheSpec() {
        var ldb = cluster(16, null, null, null);
        assertThat(MajorUpgrades.servedMajor(ldb)).isEqualTo(16);
        var i = new InstanceStatus("lms-0", "primary", true);
        i.setVersion("15.20 (Debian 15.20-1.pgdg120+1)");
        ldb.getStatus().setInstances(new java.util.ArrayList<>(List.of(i)));
        assertThat(MajorUpgrades.servedMajor(ldb)).as("an operator upgrade meeting a raised version").isEqualTo(15);
        ldb.getStatus().setPostgresVersion(14);
        assertThat(MajorUpgrades.servedMajor(ldb)).isEqualTo(14);
    }
}
