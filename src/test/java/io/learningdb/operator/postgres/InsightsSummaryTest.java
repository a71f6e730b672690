package io.learningdb.operator.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** status.insights changes only when something worth a look does: the readings are rounded. */
class InsightsSummaryTest {

    @Test
    void deadTuplesAreRoundedToFivePercentAndTwoSignificantDigits() {
        assertThat(InsightsSummary.dead("events_2026_11\t0.348\t123456")).isEqualTo("events_2026_11: 35% dead (120000 dead tuples)");
        assertThat(InsightsSummary.dead("events_2026_11\t0.352\t123999")).isEqualTo("events_2026_11: 35% dead (120000 dead tuples)");
        assertThat(InsightsSummary.dead(null)).isNull();
    }

    @Test
    void theSlowestStatementShowsItsMeanInTwoSignificantDigitsAndItsCallsByDecade() {
        assertThat(InsightsSummary.slowest("42\t1234.56\t3456")).isEqualTo("queryid 42: mean 1.2 s, 1000+ calls");
        assertThat(InsightsSummary.slowest("42\t0.04567\t5")).isEqualTo("queryid 42: mean 0.046 ms, 5+ calls");
        assertThat(InsightsSummary.slowest("-7\t201.7\t99")).isEqualTo("queryid -7: mean 200 ms, 10+ calls");
        assertThat(InsightsSummary.slowest(null)).isNull();
    }

    /**
     * bench/operator-scale.sh insights found one cluster writing its status at 19 of 20 readings with nothing
     * happening: the statement shown gained calls at every reading and its mean wobbled across a rounding boundary.
     */
    @Test
    void theSlowestStatementShownMovesOnlyWhenItsMeanMovesByAQuarterOrItsCallsByADecade() {
        String shown = "queryid 42: mean 2.3 ms, 10+ calls";
        assertThat(InsightsSummary.keepSlowest(shown, "queryid 42: mean 2.4 ms, 10+ calls")).isEqualTo(shown);
        assertThat(InsightsSummary.keepSlowest(shown, "queryid 42: mean 1.9 ms, 10+ calls")).isEqualTo(shown);
        assertThat(InsightsSummary.keepSlowest(shown, "queryid 42: mean 3.1 ms, 10+ calls"))
                .isEqualTo("queryid 42: mean 3.1 ms, 10+ calls");
        assertThat(InsightsSummary.keepSlowest(shown, "queryid 42: mean 2.3 ms, 100+ calls"))
                .isEqualTo("queryid 42: mean 2.3 ms, 100+ calls");
        assertThat(InsightsSummary.keepSlowest(shown, "queryid 43: mean 2.3 ms, 10+ calls"))
                .isEqualTo("queryid 43: mean 2.3 ms, 10+ calls");
        assertThat(InsightsSummary.keepSlowest("queryid 42: mean 990 ms, 10+ calls", "queryid 42: mean 1 s, 10+ calls"))
                .as("the same mean in another unit").isEqualTo("queryid 42: mean 990 ms, 10+ calls");
        assertThat(InsightsSummary.keepSlowest(null, shown)).isEqualTo(shown);
        assertThat(InsightsSummary.keepSlowest(shown, null)).isNull();
        assertThat(InsightsSummary.keepSlowest("queryid 42: mean 2.3 ms over 5 calls", shown))
                .as("written by an earlier version").isEqualTo(shown);
    }
}
