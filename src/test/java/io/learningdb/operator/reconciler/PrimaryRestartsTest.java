package io.learningdb.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.learningdb.operator.model.LearningDatabase;
import io.learningdb.operator.model.LearningDatabaseStatus;
import io.learningdb.operator.model.PrimaryRestartStatus;
import io.learningdb.operator.postgres.InstanceSettings;
import io.learningdb.operator.resources.Fixtures;
import io.learningdb.operator.status.Rollout;

/** Restarting the primary in place for a lowered replica-bound setting: intent first, then the pod, bounded wait. */
class PrimaryRestartsTest {

    static final Instant T0 = Instant.parse("2026-12-03T09:00:00Z");
    static final InstanceSettings LOWERED = new InstanceSettings("15.10", RollingUpdateTest.CURRENT, List.of("max_connections"),
            List.of(), RollingUpdateTest.AFTER, List.of("max_connections: 200 → 100"));
    static final InstanceSettings PENDING = new InstanceSettings("15.10", RollingUpdateTest.CURRENT, List.of("max_connections"),
            List.of(), RollingUpdateTest.AFTER, List.of());

    static Pod withUid(Pod pod, String uid) {
        return new PodBuilder(pod).editMetadata().withUid(uid).endMetadata().build();
    }

    static List<Pod> pods(String primaryUid) {
        var p = RollingUpdateTest.pods();
        return List.of(withUid(p.get(0), primaryUid), withUid(p.get(1), "u1"), withUid(p.get(2), "u2"));
    }

    static Rollout lowered(List<Pod> pods) {
        return RollingUpdateTest.rollout(pods, Map.of("db-0", LOWERED, "db-1", PENDING, "db-2", PENDING));
    }

    static LearningDatabase cluster(PrimaryRestartStatus recorded) {
        var ldb = Fixtures.ldb("db", "replicas: 2\n");
        var status = new LearningDatabaseStatus();
        status.setPrimary("db-0");
        status.setPrimaryRestart(recorded);
        ldb.setStatus(status);
        return ldb;
    }

    static PrimaryRestartStatus recorded() {
        return new PrimaryRestartStatus("db-0", "u0", "lowering max_connections: 200 → 100", T0.toString());
    }

    @Test
    void aLoweredLimitRecordsTheRestartOfThePrimaryBeforeStoppingAnything() {
        var ldb = cluster(null);
        var d = PrimaryRestarts.decide(ldb, "db-0", pods("u0"), lowered(pods("u0")), T0);

        assertThat(d.action()).as("intent first: the pod is deleted only once status records it")
                .isEqualTo(PrimaryRestarts.Action.NONE);
        assertThat(d.next().getPod()).isEqualTo("db-0");
        assertThat(d.next().getUid()).isEqualTo("u0");
        assertThat(d.next().getReason()).contains("max_connections: 200 → 100");
        assertThat(d.event()).contains("restarting primary db-0 in place");
        assertThat(PrimaryRestarts.suppressesFailover(ldb, "db-0", T0)).isFalse();
    }

    @Test
    void theRecordedRestartDeletesThatPodOnceAndFailoverWaitsForItWithinTwoMinutes() {
        var ldb = cluster(recorded());
        var d = PrimaryRestarts.decide(ldb, "db-0", pods("u0"), lowered(pods("u0")), T0.plusSeconds(1));
        assertThat(d.action()).isEqualTo(PrimaryRestarts.Action.DELETE_POD);
        assertThat(d.next()).isEqualTo(recorded());
        assertThat(PrimaryRestarts.suppressesFailover(ldb, "db-0", T0.plusSeconds(119))).isTrue();
        assertThat(PrimaryRestarts.suppressesFailover(ldb, "db-1", T0.plusSeconds(1))).as("only for that primary").isFalse();

        var terminating = pods("u0");
        terminating = List.of(new PodBuilder(terminating.get(0)).editMetadata().withDeletionTimestamp(T0.toString())
                .endMetadata().build(), terminating.get(1), terminating.get(2));
        assertThat(PrimaryRestarts.decide(ldb, "db-0", terminating, lowered(terminating), T0.plusSeconds(3)).action())
                .as("deleted already").isEqualTo(PrimaryRestarts.Action.NONE);
        var gone = pods("u0").subList(1, 3);
        var waiting = PrimaryRestarts.decide(ldb, "db-0", gone, lowered(gone), T0.plusSeconds(5));
        assertThat(waiting.next()).isEqualTo(recorded());
        assertThat(waiting.action()).isEqualTo(PrimaryRestarts.Action.NONE);
    }

    @Test
    void theNewPodReadyEndsItAndThenTheReplicasRollAsUsual() {
        var ldb = cluster(recorded());
        var back = pods("u0-new");
        var d = PrimaryRestarts.decide(ldb, "db-0", back, RollingUpdateTest.rollout(back,
                Map.of("db-0", RollingUpdateTest.loaded(RollingUpdateTest.CURRENT, RollingUpdateTest.AFTER), "db-1", PENDING,
                        "db-2", PENDING)), T0.plusSeconds(12));

        assertThat(d.next()).isNull();
        assertThat(d.late()).isFalse();
        assertThat(d.event()).contains("primary db-0 restarted in place in 12 s");
        var afterwards = RollingUpdateTest.rollout(back, Map.of("db-0", RollingUpdateTest.loaded(RollingUpdateTest.CURRENT,
                RollingUpdateTest.AFTER), "db-1", PENDING, "db-2", PENDING));
        assertThat(RollingUpdate.nextReplicaToRestart(cluster(null), "db-0", back, afterwards)).contains("db-1");
    }

    @Test
    void aPrimaryNotBackWithinTwoMinutesIsALostPrimaryAgain() {
        var ldb = cluster(recorded());
        var gone = pods("u0").subList(1, 3);
        var d = PrimaryRestarts.decide(ldb, "db-0", gone, lowered(gone), T0.plus(PrimaryRestarts.PATIENCE));
        assertThat(d.next()).isNull();
        assertThat(d.late()).isTrue();
        assertThat(d.event()).contains("failover applies to it again");
        assertThat(PrimaryRestarts.suppressesFailover(ldb, "db-0", T0.plus(PrimaryRestarts.PATIENCE))).isFalse();

        assertThat(PrimaryRestarts.decide(ldb, "db-1", pods("u0"), lowered(pods("u0")), T0.plusSeconds(1)).next())
                .as("the primary changed meanwhile: nothing left to do").isNull();
    }

    @Test
    void nothingRestartsWhileAnInstanceIsNotReadyOrASwitchoverIsUnderWay() {
        var notReady = pods("u0");
        notReady = List.of(notReady.get(0), new PodBuilder(notReady.get(1)).editStatus().editFirstCondition().withStatus("False")
                .endCondition().endStatus().build(), notReady.get(2));
        assertThat(PrimaryRestarts.decide(cluster(null), "db-0", notReady, lowered(notReady), T0).next()).isNull();

        var switching = cluster(null);
        switching.getStatus().setTargetPrimary("db-1");
        assertThat(PrimaryRestarts.decide(switching, "db-0", pods("u0"), lowered(pods("u0")), T0).next()).isNull();

        var pendingOnly = RollingUpdateTest.rollout(pods("u0"), Map.of("db-0", PENDING, "db-1", PENDING, "db-2", PENDING));
        assertThat(PrimaryRestarts.decide(cluster(null), "db-0", pods("u0"), pendingOnly, T0).next())
                .as("nothing lowered: replicas first, then a switchover, as usual").isNull();
    }
}
