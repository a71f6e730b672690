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

    /**
     * How many full backups are kept (their differential and incremental backups and the WAL they need with them):
     * a count, or every full backup needed to recover to any time in the last {@code days}.
     */
    public record Retention(Integer fullBackups, Integer days) {
        public Retention(int fullBackups) {
            this(fullBackups, null);
        }

        public static final int DEFAULT_FULL_BACKUPS = 7;

        public static Retention of(io.learningdb.operator.model.BackupRetention r) {
            if (r != null && r.getAge() != null) {
                return new Retention(null, Integer.parseInt(r.getAge().substring(0, r.getAge().length() - 1)));
            }
            return new Retention(r != null && r.getFullBackups() != null ? r.getFullBackups() : DEFAULT_FULL_BACKUPS, null);
        }
    }

    /** Certificate, key and CA files of one end of pgBackRest's TLS protocol. */
    public record TlsFiles(String certificate, String key, String ca) {
    }

    /** pgBackRest's TLS server in each instance pod: the backup job, and only it, connects here. */
    public static final int SERVER_PORT = 8432;
    /** The common name of the backup job's client certificate, the only one the server admits. */
    public static final String CLIENT_CN = "learningdb-backup";

    private BackupRepository() {
    }

    public static Store store(io.learningdb.operator.model.ObjectStoreSpec spec, String caFile) {
        return new Store(spec.getEndpoint(), spec.getPort(), spec.getBucket(), spec.getPath(), spec.getRegion(),
                spec.getUriStyle() == io.learningdb.operator.model.ObjectStoreSpec.UriStyle.path,
                spec.getCa() == null ? null : caFile);
    }

    public static String repoPath(Store store, String namespace, String cluster) {
        String prefix = store.prefix() == null || store.prefix().isBlank() ? "" : "/" + trimSlashes(store.prefix());
        return prefix + "/" + namespace + "/" + cluster;
    }

    /** pgbackrest.conf for the cluster's own repository path, as an instance uses it (archive-push, restore). */
    public static String config(Store store, String repoPath, Instance instance, Retention retention, String compression) {
        return config(store, repoPath, instance, retention, compression, null, SERVER_PORT);
    }

    /**
     * pgbackrest.conf of an instance: archive-push and restore against the repository, and, with {@code server}, the
     * TLS server through which the backup job reads the data directory (only a client certificate named
     * {@link #CLIENT_CN} and signed by the same CA is admitted).
     */
    public static String config(Store store, String repoPath, Instance instance, Retention retention, String compression,
            TlsFiles server, int serverPort) {
        var global = repository(store, repoPath, retention, compression);
        // WAL is pushed by a queue of parallel workers, so archiving keeps up with a busy primary
        global.put("archive-async", "y");
        // the background push gives up on an unreachable store before archive-push's own wait (archive-timeout, 60 s)
        // ends: it then leaves the real reason in the spool (read into status), not just "timed out"
        global.put("io-timeout", "20");
        global.put("process-max", "2");
        global.put("spool-path", instance.runDir() + "/pgbackrest/spool");
        global.put("lock-path", instance.runDir() + "/pgbackrest/lock");
        global.put("log-path", instance.runDir() + "/pgbackrest/log");
        global.put("log-level-console", "info");
        global.put("log-level-file", "off");
        global.put("start-fast", "y");
        if (server != null) {
            global.put("tls-server-address", "*");
            global.put("tls-server-port", Integer.toString(serverPort));
            global.put("tls-server-cert-file", server.certificate());
            global.put("tls-server-key-file", server.key());
            global.put("tls-server-ca-file", server.ca());
            global.put("tls-server-auth", CLIENT_CN + "=" + STANZA);
        }
        var stanza = new LinkedHashMap<String, String>();
        stanza.put("pg1-path", instance.pgdata());
        stanza.put("pg1-socket-path", instance.socketDir());
        stanza.put("pg1-port", Integer.toString(instance.port()));
        return render(global, stanza);
    }

    /**
     * pgbackrest.conf of the backup job: it is pgBackRest's repository host, writes the repository itself and reads
     * the primary's data directory through the TLS server at {@code pgHost} (the -rw Service, so a backup always
     * reads the current primary), verifying its certificate and presenting {@code client}.
     */
    public static String jobConfig(Store store, String repoPath, Instance primary, String pgHost, int pgHostPort, TlsFiles client,
            String runDir, Retention retention, String compression) {
        var global = repository(store, repoPath, retention, compression);
        global.put("process-max", "2");
        global.put("lock-path", runDir + "/lock");
        global.put("log-path", runDir + "/log");
        global.put("log-level-console", "info");
        global.put("log-level-file", "off");
        global.put("start-fast", "y");
        var stanza = new LinkedHashMap<String, String>();
        stanza.put("pg1-host", pgHost);
        stanza.put("pg1-host-type", "tls");
        stanza.put("pg1-host-port", Integer.toString(pgHostPort));
        stanza.put("pg1-host-cert-file", client.certificate());
        stanza.put("pg1-host-key-file", client.key());
        stanza.put("pg1-host-ca-file", client.ca());
        stanza.put("pg1-path", primary.pgdata());
        stanza.put("pg1-socket-path", primary.socketDir());
        stanza.put("pg1-port", Integer.toString(primary.port()));
        return render(global, stanza);
    }

    private static LinkedHashMap<String, String> repository(Store store, String repoPath, Retention retention, String compression) {
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
        if (retention.days() != null) {
            global.put("repo1-retention-full-type", "time");
            global.put("repo1-retention-full", Integer.toString(retention.days()));
        } else {
            global.put("repo1-retention-full-type", "count");
            global.put("repo1-retention-full", Integer.toString(retention.fullBackups()));
        }
        global.put("compress-type", compression);
        return global;
    }

    private static String render(Map<String, String> global, Map<String, String> stanza) {
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
    public static Map<String, String> archiveSettings() {
        var s = new LinkedHashMap<String, String>();
        // on every instance: only a primary archives, so archiving follows the primary role through failover and
        // switchover (the promoted replica archives its new timeline and the history file)
        s.put("archive_mode", "on");
        // the configuration file comes from $PGBACKREST_CONFIG in the server's environment (the pod's, or the
        // private server's during recovery, which must archive into this cluster's path and never the source's)
        s.put("archive_command", "pgbackrest --stanza=" + STANZA + " archive-push %p");
        s.put("archive_timeout", "60s");
        return s;
    }

    private static String trimSlashes(String s) {
        return s.replaceAll("^/+", "").replaceAll("/+$", "");
    }
}
