package io.learningdb.operator.failover;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

import io.learningdb.operator.failover.FailoverDecision.Blocked;
import io.learningdb.operator.failover.FailoverDecision.Promote;
import io.learningdb.operator.failover.FailoverDecision.Replica;
import io.learningdb.operator.failover.FailoverDecision.Settings;
import io.learningdb.operator.postgres.Promotion.Position;

/** Which replica replaces a lost primary, as a pure function of what each replica reported. */
class FailoverDecisionTest {

    static final long MB = 1024 * 1024;

    static Replica at(String pod, long lsn, Long lag) {
        return new Replica(pod, new Position(true, lsn, lsn), lag);
    }

    static Replica silent(String pod, Long lag) {
        return new Replica(pod, null, lag);
    }

    static Settings async(int members) {
        return new Settings(members, 0, 64 * MB, "64Mi", false);
    }

    static Settings sync(int members, int k) {
        return new Settings(members, k, 64 * MB, "64Mi", false);
    }

    @Test
    void asyncPromotesTheMostAdvancedReplicaWithinTheLagLimitAndTiesGoToTheLowestOrdinal() {
        assertThat(FailoverDecision.choose(List.of(at("db-1", 100, 0L), at("db-2", 300, 0L)), async(2)))
                .isEqualTo(new Promote("db-2", "most advanced eligible replica (asynchronous replication)"));
        assertThat(FailoverDecision.choose(List.of(at("db-2", 300, 0L), at("db-1", 300, 0L)), async(2)))
                .extracting(d -> ((Promote) d).pod()).isEqualTo("db-1");
        // the most advanced one lagged past the limit at its last measurement: the other is chosen
        assertThat(FailoverDecision.choose(List.of(at("db-1", 100, 1L), at("db-2", 300, 100 * MB)), async(2)))
                .extracting(d -> ((Promote) d).pod()).isEqualTo("db-1");
    }

    @Test
    void anUnknownLagBlocksInsteadOfPassing() {
        // never measured, or disconnected at the last measurement: nothing says how much it misses
        var decision = FailoverDecision.choose(List.of(at("db-1", 300, null)), async(1));
        assertThat(decision).isInstanceOf(Blocked.class);
        assertThat(((Blocked) decision).reason()).contains("no known lag", "promoteLaggingReplica");
        assertThat(FailoverDecision.choose(List.of(at("db-1", 300, null)), new Settings(1, 0, 64 * MB, "64Mi", true)))
                .extracting(d -> ((Promote) d).pod()).isEqualTo("db-1");
    }

    @Test
    void syncAnyOneOfTwoNeedsBothReplicasToAnswer() {
        // ANY 1 of 2: the last acknowledged commit may be on the replica that does not answer; db-1 alone may miss it
        var decision = FailoverDecision.choose(List.of(at("db-1", 900, 0L), silent("db-2", 0L)), sync(2, 1));
        assertThat(decision).isInstanceOf(Blocked.class);
        assertThat(((Blocked) decision).reason()).contains("ANY 1 of 2", "2 must answer");
        // both answer: the more advanced one holds every acknowledged commit, whatever the lag guard says
        assertThat(FailoverDecision.choose(List.of(at("db-1", 900, 100 * MB), at("db-2", 950, null)), sync(2, 1)))
                .extracting(d -> ((Promote) d).pod()).isEqualTo("db-2");
    }

    @Test
    void syncQuorumIsMembersMinusKPlusOne() {
        // ANY 2 of 3: any 2 replicas that answer intersect every set of 2 that acknowledged
        assertThat(FailoverDecision.choose(List.of(at("db-1", 500, 0L), at("db-2", 700, 0L), silent("db-3", 0L)), sync(3, 2)))
                .extracting(d -> ((Promote) d).pod()).isEqualTo("db-2");
        assertThat(FailoverDecision.choose(List.of(at("db-1", 500, 0L), silent("db-2", 0L), silent("db-3", 0L)), sync(3, 2)))
                .isInstanceOf(Blocked.class);
        // ANY 3 of 3: one replica is enough, each has every acknowledged commit
        assertThat(FailoverDecision.choose(List.of(silent("db-1", 0L), silent("db-2", 0L), at("db-3", 10, 0L)), sync(3, 3)))
                .extracting(d -> ((Promote) d).pod()).isEqualTo("db-3");
    }

    @Test
    void aReplicaAlreadyPromotedIsChosenAgainAndNoSecondOne() {
        var promoted = new Replica("db-2", new Position(false, 0, 50), 0L);
        assertThat(FailoverDecision.choose(List.of(at("db-1", 900, 0L), promoted), sync(2, 1)))
                .extracting(d -> ((Promote) d).pod()).isEqualTo("db-2");
    }

    @Test
    void aReplicaStillStreamingFromThePrimaryProvesItAliveAndBlocks() {
        // the operator cannot reach the primary and its pod looks lost, but db-2 still receives its WAL
        var decision = FailoverDecision.choose(List.of(at("db-1", 900, 0L), new Replica("db-2", new Position(true, 950, 950), 0L, true)),
                async(2));
        assertThat(decision).isInstanceOf(Blocked.class);
        assertThat(((Blocked) decision).primaryAlive()).isTrue();
        assertThat(((Blocked) decision).reason()).contains("db-2 still receives WAL");
    }

    @Test
    void nobodyAnswersBlocks() {
        assertThat(FailoverDecision.choose(List.of(silent("db-1", 0L)), async(1))).isInstanceOf(Blocked.class);
        assertThat(FailoverDecision.choose(List.of(), async(0))).isInstanceOf(Blocked.class);
    }
}
