package io.learningdb.operator.resources;

import java.util.LinkedHashMap;
import java.util.Map;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.learningdb.operator.model.LearningDatabase;
import io.learningdb.operator.model.PoolerSpec;

/**
 * ConfigMap {@code <name>-pooler-config}: pgbouncer.ini. The operator applies a change with RELOAD on every pooler pod
 * (PoolerReload); only {@link #RESTART_SETTINGS} roll the pods.
 */
public final class PoolerConfig {

    public static final String PGBOUNCER_INI = "pgbouncer.ini";
    public static final String CONFIG_DIR = "/etc/pgbouncer";
    public static final String AUTH_DIR = "/etc/pgbouncer/auth";
    public static final String USERLIST = "userlist.txt";
    public static final String TLS_DIR = "/etc/pgbouncer/tls";
    /** The pooler pod's writable directory (an emptyDir in memory: it holds a copy of the TLS key). */
    public static final String RUN_DIR = "/tmp/pgbouncer";
    /** The pooler container's entrypoint (src/main/resources/pooler/pooler.sh), run verbatim by the tests. */
    public static final String POOLER_SH = "pooler.sh";
    /** Connections the pooler leaves to the operator, maintenance jobs and superuser sessions. */
    static final int RESERVED_CONNECTIONS = 13;

    private PoolerConfig() {
    }

    /**
     * Where PgBouncer listens and what it points at: pod values here, loopback values in the test fixture. {@code tlsDir}
     * holds the mounted TLS Secret; pooler.sh installs it under {@code runDir} (see {@link #POOLER_SH}).
     */
    public record Endpoints(String listenAddress, int listenPort, String primaryHost, int primaryPort, String authFile,
            String tlsDir, String runDir) {
        public Endpoints(String listenAddress, int listenPort, String primaryHost, int primaryPort, String authFile) {
            this(listenAddress, listenPort, primaryHost, primaryPort, authFile, TLS_DIR, RUN_DIR);
        }

        public static Endpoints inCluster(LearningDatabase ldb) {
            return new Endpoints("*", Names.POOLER_PORT, Names.serviceHost(ldb, Names.readWriteService(ldb)),
                    Names.POSTGRES_PORT, AUTH_DIR + "/" + USERLIST, TLS_DIR, RUN_DIR);
        }

        /** The file pooler.sh writes the installed TLS files' paths to, included at the end of pgbouncer.ini. */
        public String tlsInclude() {
            return runDir + "/tls.ini";
        }
    }

    public static ConfigMap build(LearningDatabase ldb) {
        return new ConfigMapBuilder()
                .withNewMetadata()
                .withName(Names.poolerConfig(ldb))
                .withNamespace(ldb.getMetadata().getNamespace())
                .withLabels(Labels.forComponent(ldb, Labels.COMPONENT_CONFIG))
                .endMetadata()
                .withData(Map.of(PGBOUNCER_INI, pgbouncerIni(ldb, Endpoints.inCluster(ldb)), POOLER_SH, poolerScript()))
                .build();
    }

    /**
     * Server connections per pooler pod to the application database, so that all pooler pods together never
     * exhaust max_connections.
     */
    public static int maxDbConnections(LearningDatabase ldb) {
        int available = PostgresConfig.maxConnections(ldb.getSpec()) - RESERVED_CONNECTIONS;
        return Math.max(1, available / ldb.getSpec().getPooler().getInstances());
    }

    /**
     * Settings PgBouncer 1.18 applies only at start ({@code SHOW CONFIG} says changeable = no): a change of one of
     * these rolls the pooler pods; every other change is applied by RELOAD without disconnecting a client.
     */
    public static final java.util.Set<String> RESTART_SETTINGS = java.util.Set.of("disable_pqexec", "job_name",
            "listen_addr", "listen_backlog", "listen_port", "pidfile", "pkt_buf", "resolv_conf", "so_reuseport",
            "unix_socket_dir", "unix_socket_group", "unix_socket_mode", "user");

    /**
     * Settings that are paths inside the pod, set by the operator only: they follow the pod template's volume mounts,
     * and a template change rolls the pods anyway. Not compared with a running pooler's (a test's pooler has its own).
     */
    public static final java.util.Set<String> POD_PATHS = java.util.Set.of("auth_file", "client_tls_cert_file",
            "client_tls_key_file", "client_tls_ca_file", "server_tls_ca_file");

    /** The TLS file paths: pooler.sh points them at its installed copy (%include), so they read back differently. */
    public static final java.util.Set<String> TLS_PATHS = java.util.Set.of("client_tls_cert_file", "client_tls_key_file",
            "client_tls_ca_file", "server_tls_ca_file");

    /** What RELOAD does not apply or need not compare: {@link #RESTART_SETTINGS} and {@link #POD_PATHS}. */
    public static final java.util.Set<String> NOT_RELOADED = union(RESTART_SETTINGS, POD_PATHS);

    private static java.util.Set<String> union(java.util.Set<String> a, java.util.Set<String> b) {
        var all = new java.util.HashSet<>(a);
        all.addAll(b);
        return java.util.Set.copyOf(all);
    }

    /** What only a restart applies, as one string: hashed into the pod template, so changing it rolls the pods. */
    public static String restartSettings(LearningDatabase ldb) {
        var out = new StringBuilder();
        new java.util.TreeMap<>(settings(ldb, Endpoints.inCluster(ldb))).forEach((k, v) -> {
            if (RESTART_SETTINGS.contains(k)) {
                out.append(k).append(" = ").append(v).append('\n');
            }
        });
        return out.toString();
    }

    public static String pgbouncerIni(LearningDatabase ldb, Endpoints endpoints) {
        var out = new StringBuilder("; Managed by learningdb-operator for LearningDatabase ")
                .append(ldb.getMetadata().getNamespace()).append('/').append(ldb.getMetadata().getName()).append('\n')
                .append("[databases]\n")
                .append("* = host=").append(endpoints.primaryHost()).append(" port=").append(endpoints.primaryPort())
                .append('\n')
                .append("[pgbouncer]\n");
        settings(ldb, endpoints).forEach((k, v) -> out.append(k).append(" = ").append(v).append('\n'));
        if (TlsSecrets.enabled(ldb)) {
            // the TLS file paths of the copy pooler.sh installed (named by its fingerprint): later lines win
            out.append("%include ").append(endpoints.tlsInclude()).append('\n');
        }
        return out.toString();
    }

    /** pooler.sh, read from the jar once (every reconcile renders the pooler ConfigMap and template with it). */
    private static final String POOLER_SCRIPT = ScriptsConfig.resource("/pooler/" + POOLER_SH);

    /** pooler.sh, the pooler container's entrypoint. */
    public static String poolerScript() {
        return POOLER_SCRIPT;
    }


    /** The [pgbouncer] section: the operator's settings, then the user's parameters. */
    public static Map<String, String> settings(LearningDatabase ldb, Endpoints endpoints) {
        PoolerSpec pooler = ldb.getSpec().getPooler();
        var s = new LinkedHashMap<String, String>();
        s.put("listen_addr", endpoints.listenAddress());
        s.put("listen_port", Integer.toString(endpoints.listenPort()));
        s.put("unix_socket_dir", "");
        s.put("auth_type", "scram-sha-256");
        s.put("auth_file", endpoints.authFile());
        s.put("auth_user", Names.POOLER_AUTH_USER);
        s.put("auth_query", "SELECT uname, phash FROM pgbouncer.user_lookup($1)");
        s.put("stats_users", Names.POOLER_AUTH_USER);
        // the operator sends RECONNECT through the admin console when the primary changes (its own login)
        s.put("admin_users", Names.POOLER_AUTH_USER);
        s.put("pool_mode", pooler.getPoolMode().iniValue());
        s.put("default_pool_size", Integer.toString(pooler.getDefaultPoolSize()));
        s.put("max_client_conn", Integer.toString(pooler.getMaxClientConnections()));
        s.put("max_db_connections", Integer.toString(maxDbConnections(ldb)));
        s.put("ignore_startup_parameters", "extra_float_digits");
        s.put("server_check_query", "SELECT 1");
        s.put("server_reset_query_always", "0");
        s.put("listen_backlog", "4096");
        // after a failover, reconnect to the new primary within seconds (PgBouncer's default waits 15 s)
        s.put("server_login_retry", "1");
        s.put("server_connect_timeout", "5");
        if (TlsSecrets.enabled(ldb)) {
            // clients: TLS offered (or required); PostgreSQL: always TLS, certificate and name verified
            s.put("client_tls_sslmode", TlsSecrets.required(ldb) ? "require" : "prefer");
            s.put("client_tls_cert_file", endpoints.tlsDir() + "/" + TlsSecrets.TLS_CRT);
            s.put("client_tls_key_file", endpoints.tlsDir() + "/" + TlsSecrets.TLS_KEY);
            s.put("client_tls_ca_file", endpoints.tlsDir() + "/" + TlsSecrets.CA_CRT);
            s.put("client_tls_protocols", "secure");
            s.put("server_tls_sslmode", "verify-full");
            s.put("server_tls_ca_file", endpoints.tlsDir() + "/" + TlsSecrets.CA_CRT);
            s.put("server_tls_protocols", "secure");
        }
        s.putAll(pooler.getParameters());
        return s;
    }
}
