package io.learningdb.operator.resources;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;

import org.junit.jupiter.api.Test;

import io.learningdb.operator.dependent.Ownership;
import io.learningdb.operator.postgres.Reports;

class ReportConfigMapTest {

    static final Reports.Report WEEK_1 = new Reports.Report(7, Instant.parse("2026-11-30T06:00:03Z"), "LearningDB report: a");
    static final Reports.Report WEEK_2 = new Reports.Report(8, Instant.parse("2026-12-07T06:00:02Z"), "LearningDB report: b");

    @Test
    void theConfigMapHoldsAReportOnlyWhenItIsThatReportOfThisVeryCluster() {
        var ldb = Fixtures.ldb("lms", "replicas: 0\n");
        var map = ReportConfigMap.build(ldb, WEEK_1);
        Ownership.setController(map, ldb);
        assertThat(ReportConfigMap.holds(map, ldb, WEEK_1)).isTrue();
        assertThat(ReportConfigMap.holds(map, ldb, WEEK_2)).as("a newer report").isFalse();
        assertThat(ReportConfigMap.holds(null, ldb, WEEK_1)).isFalse();

        // the cluster deleted and created again under the same name: a new database whose first report has id 1,
        // lower than what the old ConfigMap (if it outlived its owner) says
        var recreated = Fixtures.ldb("lms", "replicas: 0\n");
        recreated.getMetadata().setUid("2222-3333");
        var first = new Reports.Report(1, Instant.parse("2026-12-01T06:00:00Z"), "LearningDB report: new");
        assertThat(ReportConfigMap.holds(map, recreated, first)).isFalse();
        assertThat(ReportConfigMap.holds(map, recreated, WEEK_1)).as("another cluster's object").isFalse();
        // the same id made again (the table emptied and its identity restarted) is another report
        assertThat(ReportConfigMap.holds(map, ldb, new Reports.Report(7, Instant.parse("2026-12-14T06:00:00Z"), "x")))
                .isFalse();
    }
}
