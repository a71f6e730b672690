package io.learningdb.operator.resources;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * pgBackRest's view of a cluster's backup repository in S3-compatible object storage: the configuration file, the
 * environment that carries the keys, and the PostgreSQL settings that archive WAL into it. A pure builder; the
 * operator renders it, the tests run pgBackRest with exactly this against a real S3 server.
 * <p>
 * Each cluster owns one path, {@code <prefix>/<namespace>/<cluster>}, with the fixed stanza {@link #STANZA}: a
 * cluster restored from another reads the source's path during recovery (the restore command names it) and archives
 * into its own afterwards, so it never writes into the source's history. Keys never appear in the file: pgBackRest
 * reads them from {@link #KEY_ENV} and {@link #SECRET_ENV}.
 */
public final class BackupRepository {

    public static final String STANZA = "learningdb";
    public static final String KEY_ENV = "PGBACKREST_REPO1_S3_KEY";
    public static final String SECRET_ENV = "PGBACKREST_REPO1_S3_KEY_SECRET";
    public static final String CONFIG_FILE = "pgbackrest.conf";

    /**
     * Where the repository lives. {@code endpoint} is the host name the server's certificate names (pgBackRest
     * checks it against the certificate's DNS names, not IP addresses); {@code caFile} when the server's CA is not a
     * public one.
     */
    public record Store(String endpoint, int port, String bucket, String prefix, String region, boolean pathStyle,
            String caFile) {
    }

    /** The instance as pgBackRest reaches it: data directory, socket directory and port. */
    public record Instance(String pgdata, String socketDir, int port, String runDir) {
    }

    /** How many full backups are kept (their differential and incremental backups and the WAL they need with them). */
    public record Retention(int fullBackups) {
    }

    private BackupRepository() {
    }

    public static String repoPath(Store store, String namespace, String cluster) {
        String prefix = store.prefix() == null || store.prefix().isBlank() ? "" : "/" + trimSlashes(store.prefix());
        return prefix + "/" + namespace + "/" + cluster;
    }

    /** pgbackrest.conf for the cluster's own repository path. */
    public static String config(Store store, String repoPath, Instance instance, Retention retention, String compression) {
        var global = new LinkedHashMap<String, String>();
        global.put("repo1-type", "s3");
        global.put("repo1-s3-endpoint", store.endpoint());
        global.put("repo1-storage-port", Integer.toString(store.port()));
        global.put("repo1-s3-bucket", store.bucket());
        global.put("repo1-s3-region", store.region());
        global.put("repo1-s3-uri-style", store.pathStyle() ? "path" : "host");
        if (store.caFile() != null) {
            global.put("repo1-storage-ca-file", store.caFile());
        }
        global.put("repo1-path", repoPath);
        global.put("repo1-retention-full", Integer.toString(retention.fullBackups()));
        global.put("compress-type", compression);
        // WAL is pushed by a queue of parallel workers, so archiving keeps up with a busy primary
        global.put("archive-async", "y");
        global.put("process-max", "2");
        global.put("spool-path", instance.runDir() + "/pgbackrest/spool");
        global.put("lock-path", instance.runDir() + "/pgbackrest/lock");
        global.put("log-path", instance.runDir() + "/pgbackrest/log");
        global.put("log-level-console", "info");
        global.put("log-level-file", "off");
        global.put("start-fast", "y");

        var stanza = new LinkedHashMap<String, String>();
        stanza.put("pg1-path", instance.pgdata());
        stanza.put("pg1-socket-path", instance.socketDir());
        stanza.put("pg1-port", Integer.toString(instance.port()));

        var out = new StringBuilder("# Managed by learningdb-operator\n[global]\n");
        global.forEach((k, v) -> out.append(k).append('=').append(v).append('\n'));
        out.append('\n').append('[').append(STANZA).append("]\n");
        stanza.forEach((k, v) -> out.append(k).append('=').append(v).append('\n'));
        return out.toString();
    }

    /**
     * The PostgreSQL settings that archive every WAL segment into the repository. A segment is switched at least
     * every {@code archive_timeout}, which bounds what a restore to "latest" can miss on a quiet primary. A failing
     * archive command keeps the segment in pg_wal (PostgreSQL retries; nothing is removed until it is archived).
     */
    public static Map<String, String> archiveSettings(String configPath) {
        var s = new LinkedHashMap<String, String>();
        s.put("archive_mode", "on");
        s.put("archive_command", "'pgbackrest --config=" + configPath + " --stanza=" + STANZA + " archive-push %p'");
        s.put("archive_timeout", "60s");
        return s;
    }

    private static String trimSlashes(String s) {
        return s.replaceAll("^/+", "").replaceAll("/+$", "");
    }
}
