package io.learningdb.operator.replication;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.TreeSet;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import io.learningdb.operator.postgres.ArchiverView;
import io.learningdb.operator.postgres.ReplicaLag;
import io.learningdb.operator.postgres.ReplicationSnapshot;
import io.learningdb.operator.resources.Fixtures;
import io.micrometer.prometheus.PrometheusConfig;
import io.micrometer.prometheus.PrometheusMeterRegistry;

/**
 * The operator's own gauges under the names Prometheus scrapes (Micrometer renames them: dots to underscores, units
 * as suffixes): every operator metric the chart's alert rules and Grafana dashboard name is exported under exactly
 * that name, labelled with the cluster's namespace and name. The database and pooler metrics are checked against real
 * servers (ExporterTest, PoolerSaturationTest); JOSDK's reconcile metrics on the running operator (ReplicationStatusTest).
 */
class OperatorMetricsTest {

    static TreeSet<String> chartOperatorMetrics() throws Exception {
        return io.learningdb.operator.install.ChartMetrics.named("\\blearningdb_(?!pg_|pooler_)[a-z_]+\\b");
    }

    @Test
    void everyOperatorMetricTheChartsAlertsAndDashboardNameIsExportedUnderThatName() throws Exception {
        var monitor = new ReplicationMonitor();
        var registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        monitor.meters = registry;
        var ldb = Fixtures.ldb("lms", "replicas: 1\n");
        monitor.export(ldb, new ReplicationSnapshot("lms-0", null,
                List.of(new ReplicaLag("lms-1", "streaming", "async", 4096, 1.5, "lms_1", 0L))));
        monitor.exportArchiver(ldb, new ArchiverView("000000010000000000000003", Instant.parse("2026-12-02T10:00:00Z"),
                null, null, null));
        monitor.exportLastBackup(ldb, Instant.parse("2026-12-02T02:00:00Z"));
        monitor.exportApplyFailing(ldb, true);
        String scrape = registry.scrape();

        var emitted = new TreeSet<String>();
        var m = Pattern.compile("(?m)^(learningdb_[a-z_]+)\\{([^}]*)\\}").matcher(scrape);
        while (m.find()) {
            emitted.add(m.group(1));
            assertThat(m.group(2)).as(m.group(1)).contains("cluster=\"lms\"", "namespace=\"edu\"");
        }
        assertThat(chartOperatorMetrics()).as("named by the chart").contains("learningdb_replication_lag_seconds",
                "learningdb_replicas_streaming", "learningdb_wal_last_archived_timestamp_seconds",
                "learningdb_backup_last_completed_timestamp_seconds", "learningdb_apply_failing");
        assertThat(emitted).containsAll(chartOperatorMetrics());
        assertThat(scrape).contains("learningdb_replication_lag_seconds{cluster=\"lms\",namespace=\"edu\",replica=\"lms-1\",} 2.0");
    }
}
