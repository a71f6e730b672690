package io.learningdb.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.learningdb.operator.model.InstanceStatus;
import io.learningdb.operator.model.LearningDatabase;
import io.learningdb.operator.model.LearningDatabaseStatus;
import io.learningdb.operator.postgres.InstanceSettings;
import io.learningdb.operator.postgres.ReplicationSnapshot;
import io.learningdb.operator.resources.Fixtures;
import io.learningdb.operator.resources.InstanceStatefulSet;
import io.learningdb.operator.resources.PostgresConfig;
import io.learningdb.operator.status.Conditions;
import io.learningdb.operator.status.Rollout;

/** Which instance restarts, and when, for a change: decisions over pods, template and the probe's reading. Pure. */
class RollingUpdateTest {

    static final LearningDatabase LDB = Fixtures.ldb("db", "replicas: 2\npostgres:\n  parameters:\n    shared_buffers: 48MB\n");
    static final String CURRENT = PostgresConfig.configVersion(LDB);
    static final Instant STARTED = Instant.parse("2026-12-01T10:00:00Z");
    static final PodTemplateSpec TEMPLATE = InstanceStatefulSet.build(LDB, "postgres:15.10", "scripts-1")
            .getSpec().getTemplate();

    static Pod pod(String name, String image) {
        var template = InstanceStatefulSet.build(LDB, image, "scripts-1").getSpec().getTemplate();
        return new PodBuilder().withNewMetadata().withName(name).withAnnotations(template.getMetadata().getAnnotations())
                .endMetadata()
                .withSpec(template.getSpec())
                .withNewStatus().addNewCondition().withType("Ready").withStatus("True").endCondition()
                .addNewContainerStatus().withName(InstanceStatefulSet.CONTAINER).withNewState().withNewRunning()
                .withStartedAt(STARTED.toString()).endRunning().endState().endContainerStatus()
                .endStatus().build();
    }

    static List<Pod> pods() {
        return List.of(pod("db-0", "postgres:15.10"), pod("db-1", "postgres:15.10"), pod("db-2", "postgres:15.10"));
    }

    static InstanceSettings loaded(String version, Instant postmasterStarted, String... pending) {
        return new InstanceSettings("15.10", version, List.of(pending), List.of(), postmasterStarted);
    }

    static Rollout rollout(List<Pod> pods, Map<String, InstanceSettings> settings) {
        return Rollout.observe(LDB, pods, Optional.of(TEMPLATE), Optional.of(new ReplicationSnapshot("db-0", null,
                List.of(), "7", List.of(), null, settings)));
    }

    static final Instant AFTER = STARTED.plusSeconds(1);

    @Test
    void aReloadedChangeRestartsNothing() {
        var r = rollout(pods(), Map.of("db-0", loaded(CURRENT, AFTER), "db-1", loaded(CURRENT, AFTER),
                "db-2", loaded(CURRENT, AFTER)));
        assertThat(RollingUpdate.nextReplicaToRestart(LDB, "db-0", pods(), r)).isEmpty();
        assertThat(RollingUpdate.switchoverTarget(LDB, "db-0", pods(), r)).isEmpty();
    }

    @Test
    void aPendingRestartRestartsReplicasLowestFirstThenSwitchesOverThePrimary() {
        var all = Map.of("db-0", loaded(CURRENT, AFTER, "shared_buffers"),
                "db-1", loaded(CURRENT, AFTER, "shared_buffers"), "db-2", loaded(CURRENT, AFTER, "shared_buffers"));
        var r = rollout(pods(), all);
        assertThat(RollingUpdate.nextReplicaToRestart(LDB, "db-0", pods(), r)).contains("db-1");
        assertThat(RollingUpdate.switchoverTarget(LDB, "db-0", pods(), r)).as("replicas first").isEmpty();
        assertThat(r.why("db-1")).isEqualTo("shared_buffers takes effect on restart");

        var replicasDone = Map.of("db-0", loaded(CURRENT, AFTER, "shared_buffers"),
                "db-1", loaded(CURRENT, AFTER), "db-2", loaded(CURRENT, AFTER));
        r = rollout(pods(), replicasDone);
        assertThat(RollingUpdate.nextReplicaToRestart(LDB, "db-0", pods(), r)).isEmpty();
        assertThat(RollingUpdate.switchoverTarget(LDB, "db-0", pods(), r)).contains("db-1");
    }

    @Test
    void aReadingFromBeforeThePodStartedDoesNotRestartItAgain() {
        // db-1 was restarted at STARTED; the probe's last reading is from its previous postmaster
        var r = rollout(pods(), Map.of("db-0", loaded(CURRENT, AFTER), "db-1",
                loaded(CURRENT, STARTED.minusSeconds(30), "shared_buffers"), "db-2", loaded(CURRENT, AFTER)));
        assertThat(r.pendingRestart()).isEmpty();
        assertThat(RollingUpdate.nextReplicaToRestart(LDB, "db-0", pods(), r)).isEmpty();
    }

    @Test
    void nothingRestartsWhileAnInstanceHasNotLoadedTheNewConfigurationOrPostgresRefusesAValue() {
        var propagating = rollout(pods(), Map.of("db-0", loaded(CURRENT, AFTER, "shared_buffers"),
                "db-1", loaded(CURRENT, AFTER, "shared_buffers"), "db-2", loaded("older", AFTER)));
        assertThat(propagating.loading()).containsExactly("db-2");
        assertThat(RollingUpdate.nextReplicaToRestart(LDB, "db-0", pods(), propagating)).isEmpty();

        var refused = new InstanceSettings("15.10", CURRENT, List.of("shared_buffers"), List.of("work_mem = 'a lot'"), AFTER);
        var r = rollout(pods(), Map.of("db-0", refused, "db-1", refused, "db-2", refused));
        assertThat(RollingUpdate.nextReplicaToRestart(LDB, "db-0", pods(), r)).isEmpty();
        assertThat(RollingUpdate.switchoverTarget(LDB, "db-0", pods(), r)).isEmpty();

        var status = status();
        r.apply(new LearningDatabaseStatus(), status, 1, AFTER);
        assertThat(Conditions.find(status.getConditions(), Conditions.SPEC_APPLIED)).hasValueSatisfying(c -> {
            assertThat(c.getStatus()).isEqualTo("False");
            assertThat(c.getReason()).isEqualTo(Rollout.PARAMETER_REFUSED);
            assertThat(c.getMessage()).contains("work_mem = 'a lot' (db-0, db-1, db-2)");
        });
        assertThat(Conditions.find(status.getConditions(), Conditions.PROGRESSING).orElseThrow().getReason())
                .isEqualTo(Rollout.RESTART_HELD);
    }

    @Test
    void anInstanceNotMeasuredHoldsNothingAndAnOutdatedImageStillRolls() {
        var pods = new ArrayList<>(pods());
        pods.set(1, pod("db-1", "postgres:15.9"));
        var r = rollout(pods, Map.of());
        assertThat(r.why("db-1")).isEqualTo("new image postgres:15.10");
        assertThat(RollingUpdate.nextReplicaToRestart(LDB, "db-0", pods, r)).contains("db-1");
    }

    @Test
    void statusSaysWhatIsUnderWayAndWhichParametersWaitForARestart() {
        var r = rollout(pods(), Map.of("db-0", loaded(CURRENT, AFTER, "shared_buffers"),
                "db-1", loaded(CURRENT, AFTER), "db-2", loaded(CURRENT, AFTER)));
        var status = status();
        r.apply(new LearningDatabaseStatus(), status, 1, AFTER);
        assertThat(status.getInstances().get(0).getPendingRestart()).containsExactly("shared_buffers");
        assertThat(status.getInstances().get(1).getPendingRestart()).isNull();
        assertThat(Conditions.find(status.getConditions(), Conditions.PROGRESSING)).hasValueSatisfying(c -> {
            assertThat(c.getStatus()).isEqualTo("True");
            assertThat(c.getReason()).isEqualTo(Rollout.ROLLING_RESTART);
            assertThat(c.getMessage()).contains("db-0 (shared_buffers takes effect on restart)");
        });

        var reloading = rollout(pods(), Map.of("db-0", loaded("older", AFTER), "db-1", loaded(CURRENT, AFTER)));
        var status2 = status();
        reloading.apply(status, status2, 1, AFTER);
        assertThat(Conditions.find(status2.getConditions(), Conditions.PROGRESSING).orElseThrow().getReason())
                .isEqualTo(Rollout.CONFIGURATION_RELOADING);

        var done = rollout(pods(), Map.of("db-0", loaded(CURRENT, AFTER), "db-1", loaded(CURRENT, AFTER)));
        var status3 = status();
        done.apply(status2, status3, 1, AFTER);
        assertThat(Conditions.find(status3.getConditions(), Conditions.PROGRESSING)).hasValueSatisfying(c -> {
            assertThat(c.getStatus()).isEqualTo("False");
            assertThat(c.getReason()).isEqualTo(Rollout.UP_TO_DATE);
        });
        assertThat(Conditions.find(status3.getConditions(), Conditions.SPEC_APPLIED)).isEmpty();
    }

    @Test
    void aLimitLoweredOnThePrimaryHoldsTheReplicasAndTheSwitchoverAndSaysWhy() {
        var lowered = new InstanceSettings("15.10", CURRENT, List.of("max_connections"), List.of(), AFTER,
                List.of("max_connections: 200 → 100"));
        var replica = new InstanceSettings("15.10", CURRENT, List.of("max_connections"), List.of(), AFTER,
                List.of("max_connections: 200 → 100"));
        var r = rollout(pods(), Map.of("db-0", lowered, "db-1", replica, "db-2", replica));
        assertThat(RollingUpdate.nextReplicaToRestart(LDB, "db-0", pods(), r)).as("a replica would not start").isEmpty();
        assertThat(RollingUpdate.switchoverTarget(LDB, "db-0", pods(), r)).isEmpty();
        var status = status();
        r.apply(new LearningDatabaseStatus(), status, 1, AFTER);
        assertThat(Conditions.find(status.getConditions(), Conditions.SPEC_APPLIED)).as("applied: by a restart in place")
                .isEmpty();
        assertThat(Conditions.find(status.getConditions(), Conditions.PROGRESSING)).hasValueSatisfying(c -> {
            assertThat(c.getReason()).isEqualTo(Rollout.RESTART_HELD);
            assertThat(c.getMessage()).contains("max_connections: 200 → 100", "primary restarted before its replicas",
                    "restarts the primary in place");
        });
        // what does restart it: the primary, in place (PrimaryRestartsTest)
        assertThat(PrimaryRestarts.needed(LDB, "db-0", pods(), r)).isTrue();
    }

    @Test
    void anInstanceThatNeverLoadsTheConfigurationIsRestartedAfterThreeMinutesInsteadOfHoldingEveryRestart() {
        var stalled = new StalledReloads();
        var settings = Map.of("db-0", loaded(CURRENT, AFTER), "db-1", loaded(CURRENT, AFTER), "db-2", loaded("older", AFTER));
        Instant t0 = Instant.parse("2026-12-01T12:00:00Z");
        var early = stalled.apply(LDB, rollout(pods(), settings), t0.plusSeconds(100));
        early = stalled.apply(LDB, rollout(pods(), settings), t0.plusSeconds(110)); // first seen at +100 s
        assertThat(early.loading()).containsExactly("db-2");
        assertThat(RollingUpdate.nextReplicaToRestart(LDB, "db-0", pods(), early)).isEmpty();

        var late = stalled.apply(LDB, rollout(pods(), settings), t0.plusSeconds(100).plus(StalledReloads.PATIENCE));
        assertThat(late.loading()).isEmpty();
        assertThat(RollingUpdate.nextReplicaToRestart(LDB, "db-0", pods(), late)).contains("db-2");
        assertThat(late.why("db-2")).isEqualTo("configuration " + CURRENT + " not loaded after 3 min (a restart installs it)");

        // loaded after all: forgotten, and a later change starts the patience again
        var fine = stalled.apply(LDB, rollout(pods(), Map.of("db-2", loaded(CURRENT, AFTER))), t0.plusSeconds(400));
        assertThat(fine.outdated()).isEmpty();
        var again = stalled.apply(LDB, rollout(pods(), settings), t0.plusSeconds(500));
        assertThat(again.loading()).containsExactly("db-2");
    }

    static LearningDatabaseStatus status() {
        var s = new LearningDatabaseStatus();
        s.setInstances(new ArrayList<>(List.of(new InstanceStatus("db-0", "primary", true),
                new InstanceStatus("db-1", "replica", true), new InstanceStatus("db-2", "replica", true))));
        s.setConditions(new ArrayList<>());
        return s;
    }
}
