package io.learningdb.operator.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.LocalDate;
import java.util.Map;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import io.learningdb.operator.bench.PartitioningBenchmark;
import io.learningdb.operator.resources.Fixtures;

/**
 * Benchmark (not a test: Surefire does not pick up *Benchmark classes): backups and recovery as a user meets them, on
 * the learning-platform sample's schema (its init SQL, run by instance.sh) with ROWS analytics events, PostgreSQL 15,
 * pgBackRest 2.45 and s3rver over TLS on loopback: a full base backup (backup.sh, the operator's configuration,
 * compression lz4), then WAL_MINUTES of continuous event inserts archived, then a new cluster restored to latest through
 * instance.sh's recovery path (restore + replay of all that WAL + promotion). Run with bench/backup.sh; results go to
 * bench/results/backup.md.
 */
class BackupBenchmark {

    static final int ROWS = Integer.getInteger("bench.rows", 2_000_000);
    static final int WAL_MINUTES = Integer.getInteger("bench.walMinutes", 2);

    @Test
    void baseBackupRestoreAndWalReplay() throws Exception {
        BackupRestoreTest.objectStore();
        try {
            run();
        } finally {
            BackupRestoreTest.down();
        }
    }

    static String spec(String name, String more) {
        return """
                replicas: 0
                backup:
                  store:
                    endpoint: localhost
                    port: %d
                    bucket: %s
                    uriStyle: path
                    credentials:
                      secretName: s3
                    ca:
                      name: s3-ca
                bootstrap:
                  database: learning
                  owner: learning_app
                """.formatted(BackupRestoreTest.s3Port, BackupRestoreTest.BUCKET) + more;
    }

    void run() throws Exception {
        var ldb = Fixtures.ldb("bench", spec("bench", "  initSQL:\n    name: learning-platform-schema\n    key: init.sql\n"));
        try (var source = LoopbackTopology.create(ldb)) {
            source.instanceEnv(BackupRestoreTest.backupEnv(ldb));
            source.initSql(PartitioningBenchmark.sampleInitSql());
            source.startPrimary("bench-0");
            long dbBytes;
            double backupSeconds;
            Map<String, String> report;
            long walBytes;
            long rowsAfterBackup;
            try (Connection su = source.superuser("bench-0");
                    Connection app = source.connect("bench-0", "learning_app", source.password("app"), "learning");
                    Statement s = app.createStatement()) {
                s.execute("INSERT INTO courses (title) SELECT 'course ' || g FROM generate_series(1, 500) g");
                s.execute("INSERT INTO analytics_events (ts, user_id, course_id, event_type, value) "
                        + "SELECT now() - random() * (now() - date_trunc('month', now())), (random() * 100000)::bigint, "
                        + "1 + (random() * 499)::bigint, (ARRAY['view','quiz','video','complete'])[1 + (random() * 3)::int], "
                        + "random() * 100 FROM generate_series(1, " + ROWS + ")");
                s.execute("ANALYZE");
                BackupRestoreTest.archived(su);
                dbBytes = Long.parseLong(BackupRestoreTest.query(su, "SELECT sum(pg_database_size(datname)) FROM pg_database"));

                long t0 = System.nanoTime();
                String out = BackupRestoreTest.fullBackup(source, "bench-0");
                backupSeconds = (System.nanoTime() - t0) / 1e9;
                report = BackupRestoreTest.keyValues(out);
                assertThat(out).contains("backup command end: completed successfully");

                // WAL_MINUTES of the platform's steady write load: event batches, committed continuously
                long lsn0 = Long.parseLong(BackupRestoreTest.query(su, "SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::bigint"));
                long end = System.nanoTime() + WAL_MINUTES * 60_000_000_000L;
                rowsAfterBackup = 0;
                while (System.nanoTime() < end) {
                    s.execute("INSERT INTO analytics_events (ts, user_id, course_id, event_type, value) "
                            + "SELECT now(), (random() * 100000)::bigint, 1 + (random() * 499)::bigint, 'view', random() "
                            + "FROM generate_series(1, 2000)");
                    rowsAfterBackup += 2000;
                }
                walBytes = Long.parseLong(BackupRestoreTest.query(su, "SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::bigint")) - lsn0;
                BackupRestoreTest.archived(su);
            }

            var restoredLdb = Fixtures.ldb("bench-restored", spec("bench-restored", "  recovery:\n    source: bench\n"));
            try (var restored = LoopbackTopology.create(restoredLdb)) {
                restored.instanceEnv(BackupRestoreTest.backupEnv(restoredLdb));
                long t0 = System.nanoTime();
                restored.startPrimary("bench-restored-0");
                double totalSeconds = (System.nanoTime() - t0) / 1e9;
                String log = restored.serverLog("bench-restored-0");
                var m = Pattern.compile("restore command end: completed successfully \\((\\d+)ms\\)").matcher(log);
                assertThat(m.find()).isTrue();
                double restoreSeconds = Long.parseLong(m.group(1)) / 1000.0;
                try (Connection app = restored.connect("bench-restored-0", "learning_app", restored.password("app"), "learning")) {
                    assertThat(BackupRestoreTest.query(app, "SELECT count(*) FROM analytics_events"))
                            .isEqualTo(Long.toString(ROWS + rowsAfterBackup));
                }
                write(dbBytes, backupSeconds, report, walBytes, restoreSeconds, totalSeconds, rowsAfterBackup);
            }
        }
    }

    static void write(long dbBytes, double backupSeconds, Map<String, String> report, long walBytes, double restoreSeconds,
            double totalSeconds, long rowsAfterBackup) throws Exception {
        double mb = dbBytes / 1e6;
        double replaySeconds = totalSeconds - restoreSeconds;
        var out = new StringBuilder("# Backups and point-in-time recovery\n\n");
        out.append("Recorded ").append(LocalDate.now()).append(" on ").append(Runtime.getRuntime().availableProcessors())
                .append(" cores (the CI machine kind), PostgreSQL 15, pgBackRest 2.45 (process-max 2, lz4), s3rver 3.7.1 over TLS, ")
                .append("all on loopback. Command: `bench/backup.sh` (ROWS=").append(ROWS).append(", WAL_MINUTES=").append(WAL_MINUTES)
                .append("). Schema: `samples/learning-platform.yaml`'s init SQL, run by instance.sh at bootstrap; ")
                .append(String.format("%,d", ROWS)).append(" analytics events. The backup runs backup.sh with the instance's ")
                .append("configuration (not through the TLS server hop the backup job adds); the restore is a new cluster's ")
                .append("first start through instance.sh (restore, replay of every archived segment in a private server, promotion, ")
                .append("new credentials, restart to serve), timed until it accepts connections.\n\n");
        out.append("| measure | value |\n| --- | ---: |\n");
        out.append(String.format("| database size (all databases) | %.0f MB |%n", mb));
        out.append(String.format("| full base backup, wall time | %.1f s |%n", backupSeconds));
        out.append(String.format("| base backup throughput | %.1f MB/s |%n", mb / backupSeconds));
        out.append(String.format("| repository bytes added (lz4) | %.0f MB |%n", Long.parseLong(report.getOrDefault("repositoryBytes", "0")) / 1e6));
        out.append(String.format("| WAL written in %d min of inserts (%,d rows) | %.0f MB |%n", WAL_MINUTES, rowsAfterBackup, walBytes / 1e6));
        out.append(String.format("| restore (files from the store) | %.1f s (%.1f MB/s) |%n", restoreSeconds, mb / restoreSeconds));
        out.append(String.format("| replay of %d min of WAL + promotion + restart | %.1f s (%.1f MB/s of WAL) |%n", WAL_MINUTES,
                replaySeconds, walBytes / 1e6 / replaySeconds));
        out.append(String.format("| restore to latest, total until serving | %.1f s |%n", totalSeconds));
        Files.createDirectories(Path.of("bench/results"));
        Files.writeString(Path.of("bench/results/backup.md"), out.toString());
        System.out.println("BACKUP-BENCH\n" + out);
    }
}
