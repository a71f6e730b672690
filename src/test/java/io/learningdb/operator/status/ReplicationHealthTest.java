package io.learningdb.operator.status;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.client.utils.Serialization;
import io.learningdb.operator.model.InstanceStatus;
import io.learningdb.operator.model.LearningDatabase;
import io.learningdb.operator.model.LearningDatabaseStatus;
import io.learningdb.operator.postgres.ReplicaLag;
import io.learningdb.operator.postgres.ReplicationSnapshot;
import io.learningdb.operator.resources.Fixtures;

class ReplicationHealthTest {

    static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    // thresholds 10 s / 1 MiB
    static final LearningDatabase LDB = Fixtures.ldb("db", """
            replicas: 2
            replicationLag:
              maxLagSeconds: 10
              maxLagBytes: 1Mi
            """);

    static LearningDatabaseStatus next(LearningDatabaseStatus previous, Optional<ReplicationSnapshot> snapshot) {
        var next = new LearningDatabaseStatus();
        next.setObservedGeneration(1L);
        next.setInstances(new ArrayList<>(List.of(new InstanceStatus("db-0", "primary", true),
                new InstanceStatus("db-1", "replica", true), new InstanceStatus("db-2", "replica", true))));
        next.setConditions(new ArrayList<>(previous.getConditions()));
        ReplicationHealth.apply(LDB, previous, next, snapshot, T0);
        return next;
    }

    static Optional<ReplicationSnapshot> lag(long bytes1, double seconds1, String state2) {
        return Optional.of(new ReplicationSnapshot("db-0", null, List.of(
                new ReplicaLag("db-1", "streaming", "async", bytes1, seconds1, "db_1", 1000L),
                new ReplicaLag("db-2", state2, "disconnected".equals(state2) ? null : "async", 0, 0, "db_2", 1000L))));
    }

    static String healthy(LearningDatabaseStatus s) {
        var c = Conditions.find(s.getConditions(), Conditions.REPLICATION_HEALTHY).orElseThrow();
        return c.getStatus() + ":" + c.getReason();
    }

    static InstanceStatus db1(LearningDatabaseStatus s) {
        return s.getInstances().get(1);
    }

    @Test
    void aPrimaryServingAnotherDatabaseThanTheRecordedOneIsReported() {
        var status = new io.learningdb.operator.model.LearningDatabaseStatus();
        assertThat(StatusAggregator.systemIdentifierMismatch(status, Optional.of(new ReplicationSnapshot("db-0", null,
                List.of(), "111", List.of())))).isEmpty(); // nothing recorded yet
        status.setSystemIdentifier("111");
        assertThat(StatusAggregator.systemIdentifierMismatch(status, Optional.of(new ReplicationSnapshot("db-0", null,
                List.of(), "111", List.of())))).isEmpty();
        assertThat(StatusAggregator.systemIdentifierMismatch(status, Optional.of(new ReplicationSnapshot("db-0", null,
                List.of(), "222", List.of())))).hasValueSatisfying(m -> assertThat(m).contains("222", "111", "db-0"));
    }

    @Test
    void laggingStartsAboveAThresholdAndClearsOnlyBelowEightyPercent() {
        var s0 = next(new LearningDatabaseStatus(), lag(0, 0, "streaming"));
        assertThat(healthy(s0)).isEqualTo("True:ReplicasStreaming");
        assertThat(s0.getMaxLag()).isEqualTo("0s / 0B");

        var s1 = next(s0, lag(2 * 1024 * 1024, 3, "streaming"));
        assertThat(healthy(s1)).isEqualTo("False:ReplicaLagging");
        assertThat(db1(s1).getLagging()).isTrue();
        assertThat(s1.getMaxLag()).isEqualTo("3s / 2.0MiB");

        var s2 = next(s1, lag(900 * 1024, 9, "streaming")); // under the threshold, above 80%: still lagging
        assertThat(db1(s2).getLagging()).isTrue();
        assertThat(healthy(s2)).isEqualTo("False:ReplicaLagging");

        var s3 = next(s2, lag(700 * 1024, 7, "streaming")); // under 80% of both: clears
        assertThat(db1(s3).getLagging()).isFalse();
        assertThat(healthy(s3)).isEqualTo("True:ReplicasStreaming");

        var fresh = next(s0, lag(900 * 1024, 9, "streaming")); // 90% without having lagged: fine
        assertThat(db1(fresh).getLagging()).isFalse();
    }

    @Test
    void secondsAloneCrossTheThresholdToo() {
        var s = next(new LearningDatabaseStatus(), lag(0, 11, "streaming"));
        assertThat(db1(s).getLagging()).isTrue();
    }

    @Test
    void disconnectedReplicaMakesItUnhealthy() {
        var s = next(new LearningDatabaseStatus(), lag(0, 0, "disconnected"));
        assertThat(healthy(s)).isEqualTo("False:ReplicaDisconnected");
        assertThat(s.getInstances().get(2).getState()).isEqualTo("disconnected");
    }

    @Test
    void unreachableKeepsLastKnownLagMarkedStale() {
        var s0 = next(new LearningDatabaseStatus(), lag(5000, 1, "streaming"));
        var s1 = next(s0, Optional.of(ReplicationSnapshot.unreachable("db-0", "db-0: connection refused")));
        assertThat(healthy(s1)).isEqualTo("Unknown:DatabaseUnreachable");
        assertThat(db1(s1).getLagBytes()).isEqualTo(5000);
        assertThat(db1(s1).getLagStale()).isTrue();
        assertThat(s1.getMaxLag()).isEqualTo("unknown");
        assertThat(Conditions.find(s1.getConditions(), Conditions.REPLICATION_HEALTHY).orElseThrow().getMessage())
                .contains("connection refused").contains("last known maximum lag 1s / 4.9KiB");
    }

    @Test
    void applyingTheSameSnapshotAgainChangesNothing() {
        for (var snapshot : List.of(lag(0, 0, "streaming"), lag(2 * 1024 * 1024, 3, "streaming"),
                lag(0, 0, "disconnected"), Optional.of(ReplicationSnapshot.unreachable("db-0", "refused")),
                Optional.<ReplicationSnapshot>empty())) {
            var first = next(next(new LearningDatabaseStatus(), lag(100, 0, "streaming")), snapshot);
            var second = next(first, snapshot);
            assertThat(Serialization.asJson(second)).as(String.valueOf(snapshot)).isEqualTo(Serialization.asJson(first));
        }
    }

    @Test
    void transitionsAreReportedOnceEach() {
        var s0 = next(new LearningDatabaseStatus(), lag(0, 0, "streaming"));
        var s1 = next(s0, lag(2 * 1024 * 1024, 3, "streaming"));
        assertThat(ReplicationHealth.transitions(s0, s1)).extracting(ReplicationHealth.Transition::reason)
                .containsExactly("ReplicaLagging");
        assertThat(ReplicationHealth.transitions(s1, next(s1, lag(2 * 1024 * 1024, 3, "streaming")))).isEmpty();
        var s2 = next(s1, lag(0, 0, "disconnected"));
        assertThat(ReplicationHealth.transitions(s1, s2)).extracting(ReplicationHealth.Transition::reason)
                .containsExactly("ReplicaRecovered", "ReplicaDisconnected");
    }

    @Test
    void noReplicasIsHealthy() {
        var ldb = Fixtures.ldb("db", "replicas: 0\n");
        var next = new LearningDatabaseStatus();
        next.setObservedGeneration(1L);
        next.setInstances(new ArrayList<>(List.of(new InstanceStatus("db-0", "primary", true))));
        ReplicationHealth.apply(ldb, new LearningDatabaseStatus(), next, Optional.empty(), T0);
        assertThat(healthy(next)).isEqualTo("True:NoReplicas");
    }
}
