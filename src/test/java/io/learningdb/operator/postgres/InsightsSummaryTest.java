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
    void theSlowestStatementShowsItsMeanInTwoSignificantDigits() {
        assertThat(InsightsSummary.slowest("42\t1234.56\t3456")).isEqualTo("queryid 42: mean 1.2 s over 3500 calls");
        assertThat(InsightsSummary.slowest("42\t0.04567\t5")).isEqualTo("queryid 42: mean 0.046 ms over 5 calls");
        assertThat(InsightsSummary.slowest("-7\t201.7\t5")).isEqualTo("queryid -7: mean 200 ms over 5 calls");
        assertThat(InsightsSummary.slowest(null)).isNull();
    }
}
