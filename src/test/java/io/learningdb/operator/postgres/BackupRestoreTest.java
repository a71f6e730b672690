package io.learningdb.operator.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.Socket;
import java.sql.Connection;
import java.sql.SQLException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.learningdb.operator.model.LearningDatabase;
import io.learningdb.operator.resources.BackupConfig;
import io.learningdb.operator.resources.BackupRepository;
import io.learningdb.operator.resources.Certificates;
import io.learningdb.operator.resources.Fixtures;
import io.learningdb.operator.resources.TlsSecrets;

/**
 * Backups and point-in-time recovery with the real tools: PostgreSQL 15 archiving through pgBackRest into a real
 * S3 server (s3rver, over TLS with its own CA) on loopback, with exactly the pgbackrest.conf, archive settings and
 * backup.sh the operator renders. Restores go into new data directories the way a new cluster's bootstrap will.
 */
class BackupRestoreTest {

    static final String BUCKET = "backups";
    static final String KEY = "S3RVER"; // s3rver's built-in credentials
    static Path base;
    static Process s3;
    static int s3Port;
    static BackupRepository.Store store;
    static final List<Path> running = new ArrayList<>();

    static boolean available() {
        return LoopbackTopology.available() && onPath("pgbackrest") && onPath("s3rver");
    }

    static boolean onPath(String command) {
        return Stream.of(System.getenv("PATH").split(":")).anyMatch(d -> Files.isExecutable(Path.of(d, command)));
    }

    @BeforeAll
    static void objectStore() throws Exception {
        if ("true".equals(System.getenv("CI"))) {
            if (!available()) {
                throw new IllegalStateException("CI must run the backup tests: install pgbackrest (apt) and s3rver (npm -g), run as root");
            }
        } else {
            assumeTrue(available(), "pgbackrest, s3rver or PostgreSQL missing: see .ci/run");
        }
        base = Files.createTempDirectory("learningdb-backup-");
        var ca = TlsSecrets.newCa(Fixtures.ldb("s3", ""), Instant.now());
        var server = Certificates.newServer(ca, List.of("localhost"), Instant.now());
        write(base.resolve("s3/cert.pem"), server.certificate());
        write(base.resolve("s3/key.pem"), server.privateKey());
        write(base.resolve("ca.crt"), ca.certificate());
        Files.createDirectories(base.resolve("s3/data"));
        Files.copy(BackupRestoreTest.class.getResourceAsStream("/backup/backup.sh"), base.resolve("backup.sh"));
        s3Port = LoopbackTopology.freePort();
        startObjectStore();
        LoopbackTopology.run(List.of("chown", "-R", "postgres:postgres", base.toString()));
        store = new BackupRepository.Store("localhost", s3Port, BUCKET, "/learningdb", "us-east-1", true,
                base.resolve("ca.crt").toString());
    }

    static void startObjectStore() throws IOException {
        s3 = new ProcessBuilder("s3rver", "-d", base.resolve("s3/data").toString(), "-a", "127.0.0.1", "-p",
                Integer.toString(s3Port), "--key", base.resolve("s3/key.pem").toString(), "--cert",
                base.resolve("s3/cert.pem").toString(), "--configure-bucket", BUCKET, "--silent")
                .redirectErrorStream(true)
                .redirectOutput(java.lang.ProcessBuilder.Redirect.appendTo(base.resolve("s3/s3rver.log").toFile())).start();
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            try (var s = new Socket("127.0.0.1", s3Port)) {
                return true;
            } catch (IOException e) {
                return false;
            }
        });
    }

    static void stopObjectStore() throws InterruptedException {
        s3.destroy();
        s3.waitFor(10, TimeUnit.SECONDS);
        s3.destroyForcibly().waitFor();
    }

    @AfterAll
    static void down() {
        for (Path pgdata : running) {
            try {
                asPostgres(List.of(pgBin("pg_ctl"), "-D", pgdata.toString(), "-m", "immediate", "stop"), Map.of());
            } catch (RuntimeException e) {
                // already stopped
            }
        }
        if (s3 != null) {
            s3.destroyForcibly();
        }
        if (base != null) {
            LoopbackTopology.run(List.of("rm", "-rf", base.toString()));
        }
    }

    /** One instance with its rendered pgbackrest.conf for the cluster's own repository path. */
    record Node(String cluster, Path dir, int port, Path config) {
        Path pgdata() {
            return dir.resolve("data");
        }

        String repoPath() {
            return BackupRepository.repoPath(store, "school", cluster);
        }
    }

    static Node node(String cluster) throws IOException {
        Path dir = base.resolve(cluster);
        Files.createDirectories(dir);
        int port = LoopbackTopology.freePort();
        var node = new Node(cluster, dir, port, dir.resolve(BackupRepository.CONFIG_FILE));
        write(node.config(), BackupRepository.config(store, node.repoPath(),
                new BackupRepository.Instance(node.pgdata().toString(), dir.toString(), port, dir.resolve("run").toString()),
                new BackupRepository.Retention(2), "lz4"));
        LoopbackTopology.run(List.of("chown", "-R", "postgres:postgres", dir.toString()));
        return node;
    }

    /** postgresql.conf as the operator renders the archive settings, plus this loopback instance's address. */
    static void configure(Node node) throws IOException {
        var conf = new StringBuilder("port = ").append(node.port()).append('\n')
                .append("listen_addresses = ''\n")
                .append("unix_socket_directories = '").append(node.dir()).append("'\n")
                .append("wal_level = replica\n");
        BackupRepository.archiveSettings()
                .forEach((k, v) -> conf.append(k).append(" = '").append(v).append("'\n"));
        Files.writeString(node.pgdata().resolve("postgresql.conf"), conf.toString());
    }

    /** A new primary archiving into its cluster's repository path, with table ticks. */
    static Node archivingPrimary(String cluster) throws IOException {
        Node node = node(cluster);
        asPostgres(List.of(pgBin("initdb"), "-D", node.pgdata().toString(), "-A", "trust", "-U", "postgres"), Map.of());
        configure(node);
        start(node);
        backupSh(node, "stanza");
        sql(node, "CREATE TABLE ticks (id int PRIMARY KEY, at timestamptz DEFAULT clock_timestamp())");
        return node;
    }

    static void start(Node node) {
        asPostgres(List.of(pgBin("pg_ctl"), "-D", node.pgdata().toString(), "-l", node.dir().resolve("server.log").toString(),
                "-w", "-t", "120", "start"), env(node));
        running.add(node.pgdata());
    }

    static String backupSh(Node node, String... args) {
        var command = new ArrayList<>(List.of("bash", base.resolve("backup.sh").toString()));
        command.addAll(List.of(args));
        return asPostgres(command, env(node));
    }

    static Map<String, String> env(Node node) {
        return Map.of(BackupRepository.KEY_ENV, KEY, BackupRepository.SECRET_ENV, KEY,
                "PGBACKREST_CONFIG", node.config().toString());
    }

    static String sql(Node node, String query) {
        return asPostgres(List.of(pgBin("psql"), "-h", node.dir().toString(), "-p", Integer.toString(node.port()),
                "-U", "postgres", "-d", "postgres", "-Atqc", query), Map.of()).trim();
    }

    /** Commits one row in its own transaction. */
    static void commit(Node node, int id) {
        sql(node, "INSERT INTO ticks (id) VALUES (" + id + ")");
    }

    /** Switches to a new WAL segment and waits until pgBackRest has archived the one that holds every commit so far. */
    static void archived(Node node) {
        String segment = sql(node, "SELECT pg_walfile_name(pg_switch_wal())");
        await().atMost(Duration.ofSeconds(180)).until(() -> {
            String last = sql(node, "SELECT coalesce(last_archived_wal, '') FROM pg_stat_archiver");
            return last.compareTo(segment) >= 0;
        });
    }

    @Test
    void aRestoreToATimeBetweenTwoCommitsHasEveryRowBeforeItAndNoneAfterAndArchivesIntoItsOwnPath() throws Exception {
        Node source = archivingPrimary("courses");
        commit(source, 0);
        String full = backupSh(source, "backup", "full");
        assertThat(full).contains("backup command end: completed successfully");
        // pgBackRest picks the newest backup that ended before the target at one-second resolution: a target in the
        // second the backup ended finds none ("unable to find backup set")
        Thread.sleep(1_100);

        for (int i = 1; i <= 5; i++) {
            commit(source, i);
        }
        String target = sql(source, "SELECT to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')");
        Thread.sleep(20);
        for (int i = 6; i <= 10; i++) {
            commit(source, i);
        }
        archived(source);

        // a new cluster restored to the time between commit 5 and commit 6
        Node restored = node("courses-restored");
        String out = backupSh(restored, "restore", restored.pgdata().toString(), source.repoPath(), target);
        assertThat(out).contains("restore command end: completed successfully");
        configure(restored); // the new cluster's own settings: its own repository path for archiving
        start(restored);
        await().atMost(Duration.ofSeconds(60)).until(() -> "f".equals(sql(restored, "SELECT pg_is_in_recovery()")));
        assertThat(sql(restored, "SELECT string_agg(id::text, ',' ORDER BY id) FROM ticks")).isEqualTo("0,1,2,3,4,5");
        assertThat(sql(restored, "SELECT substr(pg_walfile_name(pg_current_wal_lsn()), 1, 8)"))
                .as("promoted on a new timeline").isEqualTo("00000002");

        // it archives into its own path, never into the source's
        long sourceObjects = objects(source.repoPath());
        backupSh(restored, "stanza");
        sql(restored, "INSERT INTO ticks (id) VALUES (100)");
        archived(restored);
        assertThat(objects(restored.repoPath() + "/archive")).isPositive();
        assertThat(objects(source.repoPath())).isEqualTo(sourceObjects);

        // the source is lost: a restore to the latest archived WAL has every row that was archived
        for (int i = 11; i <= 15; i++) {
            commit(source, i);
        }
        archived(source);
        asPostgres(List.of(pgBin("pg_ctl"), "-D", source.pgdata().toString(), "-m", "immediate", "stop"), Map.of());
        Node latest = node("courses-latest");
        backupSh(latest, "restore", latest.pgdata().toString(), source.repoPath(), "latest");
        configure(latest);
        start(latest);
        await().atMost(Duration.ofSeconds(60)).until(() -> "f".equals(sql(latest, "SELECT pg_is_in_recovery()")));
        assertThat(sql(latest, "SELECT count(*) || ':' || max(id) FROM ticks")).isEqualTo("16:15");
    }

    /**
     * The backup job is pgBackRest's repository host: it reads the primary's data directory through the TLS server in
     * the instance pod (client certificate checked both ways) and writes the repository itself; retention then keeps
     * only the newest full backups and the WAL they need; the report is what the operator puts in status.
     */
    @Test
    void theBackupJobReadsThePrimaryThroughItsTlsServerReportsTheBackupAndRetentionKeepsTheNewest() throws Exception {
        var now = Instant.now();
        var backupCa = Certificates.newCa("learningdb-backup-ca", now);
        var serverCert = Certificates.newServer(backupCa, List.of("localhost"), now);
        var clientCert = Certificates.newClient(backupCa, BackupRepository.CLIENT_CN, now);
        var intruder = Certificates.newClient(backupCa, "someone-else", now);
        // as mounted from Secret <name>-backup-tls: the instance gets the server's pair, the job the client's
        Path serverTls = base.resolve("backup-tls-server");
        Path clientTls = base.resolve("backup-tls-client");
        Path intruderTls = base.resolve("backup-tls-intruder");
        for (Path d : List.of(serverTls, clientTls, intruderTls)) {
            write(d.resolve("ca.crt"), backupCa.certificate());
        }
        write(serverTls.resolve("tls.crt"), serverCert.certificate());
        write(serverTls.resolve("tls.key"), serverCert.privateKey());
        write(clientTls.resolve("client.crt"), clientCert.certificate());
        write(clientTls.resolve("client.key"), clientCert.privateKey());
        write(intruderTls.resolve("client.crt"), intruder.certificate());
        write(intruderTls.resolve("client.key"), intruder.privateKey());
        for (Path d : List.of(serverTls, clientTls, intruderTls)) {
            LoopbackTopology.run(List.of("chown", "-R", "postgres:postgres", d.toString()));
            LoopbackTopology.run(List.of("bash", "-c", "chmod 0440 " + d + "/*")); // a Secret volume's mode
        }

        Node primary = node("lessons");
        int serverPort = LoopbackTopology.freePort();
        Path instanceRun = primary.dir().resolve("run");
        var instance = new BackupRepository.Instance(primary.pgdata().toString(), primary.dir().toString(), primary.port(),
                instanceRun.toString());
        // the instance's configuration with its TLS server, as rendered for the pod: the files are backup.sh's private copies
        String copies = instanceRun + "/backup-tls/";
        write(primary.config(), BackupRepository.config(store, primary.repoPath(), instance, new BackupRepository.Retention(2),
                "lz4", new BackupRepository.TlsFiles(copies + "tls.crt", copies + "tls.key", copies + "ca.crt"), serverPort));
        LoopbackTopology.run(List.of("chown", "-R", "postgres:postgres", primary.dir().toString()));
        asPostgres(List.of(pgBin("initdb"), "-D", primary.pgdata().toString(), "-A", "trust", "-U", "postgres"), Map.of());
        configure(primary);
        start(primary);
        backupSh(primary, "stanza"); // as instance.sh does when a primary starts
        s3rverListingWorkaround(primary);
        sql(primary, "CREATE TABLE ticks (id int PRIMARY KEY, at timestamptz DEFAULT clock_timestamp())");
        archived(primary);
        // the sidecar's command: backup.sh server
        var serverCommand = new ArrayList<>(List.of("env", "PGBACKREST_CONFIG=" + primary.config(), "RUN_DIR=" + instanceRun,
                "BACKUP_TLS_SOURCE=" + serverTls, "HOME=/tmp", BackupRepository.KEY_ENV + "=" + KEY,
                BackupRepository.SECRET_ENV + "=" + KEY, "bash", base.resolve("backup.sh").toString(), "server"));
        Process server = new ProcessBuilder(LoopbackTopology.asPostgres(serverCommand))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(primary.dir().resolve("tls-server.log").toFile())).start();
        try {
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                try (var s = new Socket("127.0.0.1", serverPort)) {
                    return true;
                } catch (IOException e) {
                    return false;
                }
            });
            Path job = base.resolve("lessons-job");
            Files.createDirectories(job);
            Path jobRun = job.resolve("run");
            Path jobConfig = job.resolve(BackupRepository.CONFIG_FILE);
            String clientCopies = jobRun + "/backup-tls/";
            write(jobConfig, BackupRepository.jobConfig(store, primary.repoPath(), instance, "localhost", serverPort,
                    new BackupRepository.TlsFiles(clientCopies + "client.crt", clientCopies + "client.key", clientCopies + "ca.crt"),
                    jobRun.toString(), new BackupRepository.Retention(2), "lz4"));
            Path intruderRun = job.resolve("run-intruder");
            Path intruderConfig = job.resolve("intruder.conf");
            String intruderCopies = intruderRun + "/backup-tls/";
            write(intruderConfig, BackupRepository.jobConfig(store, primary.repoPath(), instance, "localhost", serverPort,
                    new BackupRepository.TlsFiles(intruderCopies + "client.crt", intruderCopies + "client.key", intruderCopies + "ca.crt"),
                    intruderRun.toString(), new BackupRepository.Retention(2), "lz4"));
            LoopbackTopology.run(List.of("chown", "-R", "postgres:postgres", job.toString()));
            // the backup job's environment (BackupJob.env), with this machine's paths
            var jobEnv = new HashMap<>(env(primary));
            jobEnv.put("PGBACKREST_CONFIG", jobConfig.toString());
            jobEnv.put("RUN_DIR", jobRun.toString());
            jobEnv.put("BACKUP_TLS_SOURCE", clientTls.toString());
            jobEnv.put("TERMINATION_LOG", job.resolve("termination-log").toString());

            var intruderEnv = new HashMap<>(jobEnv);
            intruderEnv.put("PGBACKREST_CONFIG", intruderConfig.toString());
            intruderEnv.put("RUN_DIR", intruderRun.toString());
            intruderEnv.put("BACKUP_TLS_SOURCE", intruderTls.toString());
            assertThatThrownBy(() -> asPostgres(List.of("bash", base.resolve("backup.sh").toString(), "backup", "full"), intruderEnv))
                    .as("a client certificate with another name is refused by the instance's TLS server").isNotNull();

            var reports = new ArrayList<Map<String, String>>();
            for (int round = 0; round < 3; round++) {
                commit(primary, round);
                String out = asPostgres(List.of("bash", base.resolve("backup.sh").toString(), "backup", "full"), jobEnv);
                assertThat(out).contains("backup command end: completed successfully");
                reports.add(keyValues(Files.readString(job.resolve("termination-log"))));
                Thread.sleep(1_100); // pgBackRest labels backups by the second
            }
            var first = reports.get(0);
            var last = reports.get(2);
            assertThat(first).containsEntry("backups", "1").containsEntry("type", "full");
            assertThat(first.get("firstRecoverable")).isEqualTo(first.get("started"));
            assertThat(Long.parseLong(last.get("size"))).as("database bytes").isGreaterThan(1_000_000);
            assertThat(Long.parseLong(last.get("repositoryBytes"))).isPositive();
            assertThat(Long.parseLong(last.get("completed"))).isGreaterThanOrEqualTo(Long.parseLong(last.get("started")));
            // retention 2: the oldest full backup is gone, with the WAL only it needed; the second is the first point
            assertThat(last).containsEntry("backups", "2");
            assertThat(last.get("firstRecoverable")).isEqualTo(reports.get(1).get("started"));
            String info = asPostgres(List.of("pgbackrest", "--config=" + jobConfig, "--stanza=" + BackupRepository.STANZA,
                    "info", "--output=json"), jobEnv);
            assertThat(info).doesNotContain("\"" + first.get("backup") + "\"").contains(reports.get(1).get("backup"));
            String archiveMin = info.replaceAll("(?s).*\"min\":\"([0-9A-F]{24})\".*", "$1");
            String secondWalStart = info.replaceAll("(?s).*\"archive\":\\{\"start\":\"([0-9A-F]{24})\".*?\"label\":\""
                    + reports.get(1).get("backup") + "\".*", "$1");
            assertThat(archiveMin).as("WAL before the oldest kept backup is removed, none it needs")
                    .isEqualTo(secondWalStart);

            // the restore reads what the job wrote
            Node restored = node("lessons-restored");
            backupSh(restored, "restore", restored.pgdata().toString(), primary.repoPath(), "latest");
            configure(restored);
            start(restored);
            await().atMost(Duration.ofSeconds(60)).until(() -> "f".equals(sql(restored, "SELECT pg_is_in_recovery()")));
            assertThat(sql(restored, "SELECT string_agg(id::text, ',' ORDER BY id) FROM ticks")).isEqualTo("0,1,2");
        } finally {
            server.destroy();
            server.waitFor(10, TimeUnit.SECONDS);
            server.destroyForcibly();
        }
    }

    /**
     * s3rver (3.7.1, and its fork 5.0.0) omits a common prefix from a delimited listing when the "directory" holds only
     * further "directories" and no object of its own: listing archive/learningdb/ misses 15-1/, so pgBackRest's
     * expire finds no WAL to remove. Real S3 lists it. One object of its own in 15-1/ (a name pgBackRest ignores)
     * makes s3rver list it.
     */
    static void s3rverListingWorkaround(Node node) {
        var env = new HashMap<>(env(node));
        asPostgres(List.of("bash", "-c", "echo s3rver | pgbackrest --config=" + node.config() + " --stanza="
                + BackupRepository.STANZA + " repo-put archive/" + BackupRepository.STANZA + "/15-1/s3rver-listing"), env);
    }

    static Map<String, String> keyValues(String text) {
        var map = new java.util.LinkedHashMap<String, String>();
        text.lines().filter(l -> l.contains("=")).forEach(l -> map.put(l.substring(0, l.indexOf('=')), l.substring(l.indexOf('=') + 1)));
        return map;
    }

    /** A LearningDatabase with spec.backup against the test's S3 server (as a user would write it). */
    static LearningDatabase backedUp(String name, String more) {
        return Fixtures.ldb(name, """
                replicas: 1
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
                """.formatted(s3Port, BUCKET) + more);
    }

    /**
     * The environment the instance StatefulSet gives instance.sh for backups and recovery, with pgBackRest's files
     * rendered for this loopback instance's paths.
     */
    static LoopbackTopology.InstanceEnv backupEnv(LearningDatabase ldb) {
        return (name, dir, port) -> {
            var instance = new BackupRepository.Instance(dir.resolve("pgdata").toString(), dir.resolve("sock").toString(), port,
                    dir.resolve("run").toString());
            var env = new HashMap<String, String>();
            env.put("BACKUP_SH", base.resolve("backup.sh").toString());
            env.put("HOME", "/tmp");
            if (ldb.getSpec().getBackup() != null) {
                Path conf = dir.resolve("pgbackrest.conf");
                write(conf, BackupRepository.config(store, BackupConfig.repoPath(ldb), instance,
                        BackupRepository.Retention.of(ldb.getSpec().getBackup().getRetention()), "lz4"));
                env.put("PGBACKREST_CONFIG", conf.toString());
                env.put(BackupRepository.KEY_ENV, KEY);
                env.put(BackupRepository.SECRET_ENV, KEY);
            }
            if (BackupConfig.recovery(ldb) != null) {
                Path conf = dir.resolve("pgbackrest-recovery.conf");
                write(conf, BackupRepository.config(store, BackupConfig.recoverySourcePath(ldb), instance,
                        BackupRepository.Retention.of(null), "lz4"));
                env.put("RECOVERY_CONFIG", conf.toString());
                env.put("RECOVERY_SOURCE_PATH", BackupConfig.recoverySourcePath(ldb));
                env.put("RECOVERY_TARGET", BackupConfig.recoveryTarget(ldb));
                env.put("RECOVERY_S3_KEY", KEY);
                env.put("RECOVERY_S3_KEY_SECRET", KEY);
            }
            LoopbackTopology.run(List.of("chown", "-R", "postgres:postgres", dir.toString()));
            return env;
        };
    }

    /** A full backup of a loopback instance with the pgbackrest.conf {@link #backupEnv} rendered for it. */
    static String fullBackup(LoopbackTopology topo, String instance) {
        Path dir = topo.base().resolve("instances").resolve(instance);
        return asPostgres(List.of("bash", base.resolve("backup.sh").toString(), "backup", "full"),
                Map.of(BackupRepository.KEY_ENV, KEY, BackupRepository.SECRET_ENV, KEY,
                        "PGBACKREST_CONFIG", dir.resolve("pgbackrest.conf").toString(), "RUN_DIR", dir.resolve("run").toString()));
    }

    static String query(Connection c, String sql) throws SQLException {
        try (var rs = c.createStatement().executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }

    /** Switches WAL and waits until the archiver has pushed the segment holding every commit so far. */
    static void archived(Connection superuser) throws SQLException {
        String segment = query(superuser, "SELECT pg_walfile_name(pg_switch_wal())");
        await().atMost(Duration.ofSeconds(180)).until(() -> {
            String last = query(superuser, "SELECT coalesce(last_archived_wal, '') FROM pg_stat_archiver");
            return last.compareTo(segment) >= 0;
        });
    }

    /**
     * bootstrap.recovery end to end through instance.sh, as a pod runs it: the source primary (with spec.backup)
     * creates its stanza and archives by itself; the new cluster's first primary restores the newest backup before
     * the target in a private server, replays to the target, is promoted, takes this cluster's credentials, archives
     * into its own path only, and its replica clones from it.
     */
    @Test
    void aClusterWithBootstrapRecoveryIsRestoredByInstanceShToTheTargetWithItsOwnCredentials() throws Exception {
        var sourceLdb = backedUp("grades", "");
        try (var source = LoopbackTopology.create(sourceLdb)) {
            source.instanceEnv(backupEnv(sourceLdb));
            source.startPrimary("grades-0");
            String target;
            try (Connection su = source.superuser("grades-0");
                    Connection app = source.connect("grades-0", "app", source.password("app"), "app")) {
                app.createStatement().execute("CREATE TABLE marks (id int PRIMARY KEY)");
                app.createStatement().execute("INSERT INTO marks VALUES (0)");
                // the stanza was created by instance.sh: archiving works without anyone running stanza-create
                archived(su);
                String full = fullBackup(source, "grades-0");
                assertThat(full).contains("backup command end: completed successfully");
                Thread.sleep(1_100);
                for (int i = 1; i <= 5; i++) {
                    app.createStatement().execute("INSERT INTO marks VALUES (" + i + ")");
                }
                target = query(su, "SELECT to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')");
                Thread.sleep(20);
                for (int i = 6; i <= 10; i++) {
                    app.createStatement().execute("INSERT INTO marks VALUES (" + i + ")");
                }
                archived(su);
            }
            String sourceAppPassword = source.password("app");

            var restoredLdb = backedUp("grades-restored", """
                    bootstrap:
                      recovery:
                        source: grades
                        targetTime: "%s"
                    """.formatted(target));
            assertThat(BackupConfig.recoverySourcePath(restoredLdb)).isEqualTo(BackupConfig.repoPath(sourceLdb));
            try (var restored = LoopbackTopology.create(restoredLdb)) {
                restored.instanceEnv(backupEnv(restoredLdb));
                restored.startPrimary("grades-restored-0");
                assertThat(restored.serverLog("grades-restored-0")).contains("recovery complete");
                try (Connection su = restored.superuser("grades-restored-0");
                        Connection app = restored.connect("grades-restored-0", "app", restored.password("app"), "app")) {
                    assertThat(query(app, "SELECT string_agg(id::text, ',' ORDER BY id) FROM marks")).isEqualTo("0,1,2,3,4,5");
                    assertThat(query(su, "SELECT pg_is_in_recovery()")).isEqualTo("f");
                    assertThat(query(su, "SELECT substr(pg_walfile_name(pg_current_wal_lsn()), 1, 8)")).isEqualTo("00000002");
                    assertThat(query(su, "SELECT count(*) FROM pg_settings WHERE name IN ('restore_command', 'recovery_target_time') "
                            + "AND setting <> ''")).as("no recovery setting outlives the recovery").isEqualTo("0");
                    // the new cluster's own archive, never the source's
                    app.createStatement().execute("INSERT INTO marks VALUES (100)");
                    archived(su);
                    assertThat(objects(BackupConfig.repoPath(restoredLdb) + "/archive")).isPositive();
                    assertThat(newTimelineFiles(BackupConfig.repoPath(sourceLdb)))
                            .as("nothing of the restored cluster's timeline in the source's repository").isZero();
                    assertThat(newTimelineFiles(BackupConfig.repoPath(restoredLdb))).isPositive();
                }
                assertThatThrownBy(() -> restored.connect("grades-restored-0", "app", sourceAppPassword, "app").close())
                        .as("the source's credentials open nothing in the restored cluster").isInstanceOf(SQLException.class);
                restored.startReplica("grades-restored-1", "grades-restored-0");
                try (Connection replica = restored.connect("grades-restored-1", "app", restored.password("app"), "app")) {
                    await().atMost(Duration.ofSeconds(60)).until(() -> "7".equals(query(replica, "SELECT count(*) FROM marks")));
                }
            }
        }
    }

    /**
     * Archiving follows the primary role: after a failover the promoted replica archives its new timeline (history
     * file and segments) into the same repository, and a restore to latest crosses the timeline switch with every
     * row acknowledged on both sides that was archived.
     */
    /**
     * After a major upgrade (upgrade.sh, as Job {@code <name>-upgrade-<to>} runs it; 15 → 15 here: a new system
     * identifier, as pg_upgrade gives), the primary's first start upgrades the repository's stanza — only then, never
     * on a mismatch alone — and archiving and backups go on into the same repository.
     */
    @Test
    void afterAMajorUpgradeThePrimaryUpgradesTheStanzaAndArchivingAndBackupsGoOn() throws Exception {
        var ldb = backedUp("transcripts", "");
        try (var cluster = LoopbackTopology.create(ldb)) {
            cluster.instanceEnv(backupEnv(ldb));
            cluster.startPrimary("transcripts-0");
            try (Connection su = cluster.superuser("transcripts-0")) {
                su.createStatement().execute("CREATE TABLE marks (id int PRIMARY KEY)");
                su.createStatement().execute("INSERT INTO marks SELECT generate_series(1, 100)");
                archived(su);
                assertThat(fullBackup(cluster, "transcripts-0")).contains("backup command end: completed successfully");
            }
            cluster.terminate("transcripts-0");
            await().atMost(Duration.ofSeconds(60)).until(() -> !cluster.instance("transcripts-0").process().isAlive());

            var upgrade = cluster.runUpgrade("transcripts-0", Map.of());
            assertThat(upgrade.exitCode()).as(upgrade.output()).isZero();
            Path marker = cluster.instance("transcripts-0").pgdata().resolve("learningdb-stanza-upgrade");
            assertThat(marker).exists();

            cluster.start("transcripts-0", "primary", 0);
            await().atMost(Duration.ofSeconds(120)).untilAsserted(() -> {
                assertThat(cluster.serverLog("transcripts-0")).contains("backup repository upgraded to this major version");
                assertThat(marker).doesNotExist();
            });
            try (Connection su = cluster.superuser("transcripts-0")) {
                assertThat(query(su, "SELECT count(*) FROM marks")).isEqualTo("100");
                su.createStatement().execute("INSERT INTO marks SELECT generate_series(101, 200)");
                archived(su);
            }
            assertThat(fullBackup(cluster, "transcripts-0")).contains("backup command end: completed successfully");
        }
    }

    @Test
    void afterAFailoverTheNewPrimaryArchivesItsTimelineAndARestoreCrossesIt() throws Exception {
        var ldb = backedUp("exams", "");
        try (var cluster = LoopbackTopology.create(ldb)) {
            cluster.instanceEnv(backupEnv(ldb));
            cluster.startPrimary("exams-0");
            cluster.startReplica("exams-1", "exams-0");
            try (Connection su = cluster.superuser("exams-0");
                    Connection app = cluster.connect("exams-0", "app", cluster.password("app"), "app")) {
                app.createStatement().execute("CREATE TABLE answers (id int PRIMARY KEY)");
                app.createStatement().execute("INSERT INTO answers SELECT generate_series(1, 100)");
                archived(su);
                String full = fullBackup(cluster, "exams-0");
                assertThat(full).contains("backup command end: completed successfully");
                app.createStatement().execute("INSERT INTO answers SELECT generate_series(101, 200)");
                archived(su);
            }
            try (Connection replica = cluster.connect("exams-1", "app", cluster.password("app"), "app")) {
                await().atMost(Duration.ofSeconds(30)).until(() -> "200".equals(query(replica, "SELECT count(*) FROM answers")));
            }
            // the primary is lost; the replica is promoted (as the operator does: pg_promote, then the role label)
            cluster.stop("exams-0", "immediate");
            try (Connection promoted = cluster.superuser("exams-1")) {
                query(promoted, "SELECT pg_promote(true, 60)");
                assertThat(query(promoted, "SELECT pg_is_in_recovery()")).isEqualTo("f");
                try (Connection app = cluster.connect("exams-1", "app", cluster.password("app"), "app")) {
                    app.createStatement().execute("INSERT INTO answers SELECT generate_series(201, 300)");
                }
                archived(promoted);
                assertThat(query(promoted, "SELECT substr(last_archived_wal, 1, 8) FROM pg_stat_archiver")).isEqualTo("00000002");
            }
            assertThat(newTimelineFiles(BackupConfig.repoPath(ldb))).as("the history file and timeline 2's segments")
                    .isGreaterThanOrEqualTo(2);

            var restoredLdb = backedUp("exams-restored", "bootstrap:\n  recovery:\n    source: exams\n");
            try (var restored = LoopbackTopology.create(restoredLdb)) {
                restored.instanceEnv(backupEnv(restoredLdb));
                restored.startPrimary("exams-restored-0");
                try (Connection app = restored.connect("exams-restored-0", "app", restored.password("app"), "app");
                        Connection su = restored.superuser("exams-restored-0")) {
                    assertThat(query(app, "SELECT count(*) || ':' || max(id) FROM answers")).isEqualTo("300:300");
                    assertThat(query(su, "SELECT substr(pg_walfile_name(pg_current_wal_lsn()), 1, 8)"))
                            .as("promoted after timeline 2").isEqualTo("00000003");
                }
            }
        }
    }

    @Test
    void whileTheStoreIsDownWalIsKeptAndArchivingCatchesUpWhenItIsBack() throws Exception {
        Node node = archivingPrimary("outage");
        archived(node);

        stopObjectStore();
        try {
            commit(node, 1);
            String segment = sql(node, "SELECT pg_walfile_name(pg_switch_wal())");
            // pgBackRest reports the first failure after archive-timeout (60 s) without reaching the store
            await().atMost(Duration.ofSeconds(180)).until(() -> Integer.parseInt(sql(node, "SELECT failed_count FROM pg_stat_archiver")) > 0);
            // the segment is not archived and PostgreSQL keeps it (a checkpoint does not remove it)
            sql(node, "CHECKPOINT");
            assertThat(Files.exists(node.pgdata().resolve("pg_wal").resolve(segment))).isTrue();
            assertThat(sql(node, "SELECT coalesce(last_archived_wal, '') FROM pg_stat_archiver")).isLessThan(segment);
            assertThat(sql(node, "SELECT count(*) FROM ticks")).as("the database keeps serving").isEqualTo("1");
        } finally {
            startObjectStore();
        }
        archived(node);
        assertThat(sql(node, "SELECT last_failed_wal IS NOT NULL FROM pg_stat_archiver")).isEqualTo("t");
    }

    /**
     * A store that refuses the keys: archiving fails at once with pgBackRest's reason, which the operator reads over
     * SQL from the spool (the exact query the probe runs), while the database keeps serving.
     */
    @Test
    void refusedKeysFailArchivingWithPgBackRestsReasonReadableOverSql() throws Exception {
        Node node = node("wrong-keys");
        asPostgres(List.of(pgBin("initdb"), "-D", node.pgdata().toString(), "-A", "trust", "-U", "postgres"), Map.of());
        configure(node);
        var wrong = Map.of(BackupRepository.KEY_ENV, "WRONG", BackupRepository.SECRET_ENV, "WRONG",
                "PGBACKREST_CONFIG", node.config().toString());
        asPostgres(List.of(pgBin("pg_ctl"), "-D", node.pgdata().toString(), "-l", node.dir().resolve("server.log").toString(),
                "-w", "-t", "120", "start"), wrong);
        running.add(node.pgdata());
        sql(node, "CREATE TABLE t (id int)");
        sql(node, "SELECT pg_switch_wal()");
        await().atMost(Duration.ofSeconds(120)).until(() -> Integer.parseInt(sql(node, "SELECT failed_count FROM pg_stat_archiver")) > 0);
        String errorDir = node.dir().resolve("run/pgbackrest/spool/archive/" + BackupRepository.STANZA + "/out").toString();
        String message = sql(node, ReplicationProbe.ARCHIVE_ERROR_SQL.replace("?", "'" + errorDir + "'"));
        assertThat(message).as("pgBackRest's error code, then its message").matches("(?s)[0-9]+\\s.*\\S.*");
        sql(node, "INSERT INTO t VALUES (1)");
        assertThat(sql(node, "SELECT count(*) FROM t")).as("the database keeps serving").isEqualTo("1");
    }

    @Test
    void aRestoreRefusesANonEmptyDataDirectoryAndATargetThatIsNotATime() throws Exception {
        Node node = node("refuse");
        Files.createDirectories(node.pgdata());
        Files.writeString(node.pgdata().resolve("PG_VERSION"), "15\n");
        LoopbackTopology.run(List.of("chown", "-R", "postgres:postgres", node.dir().toString()));
        assertThatThrownBy(() -> backupSh(node, "restore", node.pgdata().toString(), "/learningdb/school/x", "latest"))
                .hasMessageContaining("it is not empty");
        Path empty = node.dir().resolve("empty");
        Files.createDirectories(empty);
        LoopbackTopology.run(List.of("chown", "-R", "postgres:postgres", empty.toString()));
        assertThatThrownBy(() -> backupSh(node, "restore", empty.toString(), "/learningdb/school/x", "yesterday"))
                .hasMessageContaining("not an RFC 3339 time");
        assertThatThrownBy(() -> backupSh(node, "backup", "weekly")).hasMessageContaining("full, diff or incr");
    }

    /** WAL segments and history files of timeline 2 under a repository path. */
    static long newTimelineFiles(String path) throws IOException {
        Path dir = base.resolve("s3/data").resolve(BUCKET).resolve(path.replaceFirst("^/", ""));
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            return walk.filter(Files::isRegularFile).filter(p -> p.getFileName().toString().startsWith("00000002")
                    && p.getFileName().toString().endsWith("._S3rver_object")).count();
        }
    }

    /** Objects under a path of the bucket, as s3rver stores them on disk. */
    static long objects(String path) throws IOException {
        Path dir = base.resolve("s3/data").resolve(BUCKET).resolve(path.replaceFirst("^/", ""));
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            return walk.filter(Files::isRegularFile).filter(p -> !p.getFileName().toString().startsWith(".")).count();
        }
    }

    static String pgBin(String tool) {
        return LoopbackTopology.PGBIN.resolve(tool).toString();
    }

    static String asPostgres(List<String> command, Map<String, String> env) {
        var withHome = new HashMap<>(env);
        withHome.put("HOME", "/tmp");
        return LoopbackTopology.run(LoopbackTopology.asPostgres(command), withHome);
    }

    static void write(Path file, String content) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, content);
    }
}
