package io.learningdb.operator.resources;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.learningdb.operator.model.LearningDatabase;
import io.learningdb.operator.model.LearningDatabaseSpec;

/** ConfigMap {@code <name>-postgres-config}: postgresql.conf and pg_hba.conf, the same for every instance. */
public final class PostgresConfig {

    public static final String POSTGRESQL_CONF = "postgresql.conf";
    public static final String PG_HBA_CONF = "pg_hba.conf";
    /** A placeholder setting (custom prefix) that carries {@link #configVersion}. */
    public static final String CONFIG_VERSION = "learningdb.config_version";
    public static final String TLS_FINGERPRINT = "learningdb.tls_fingerprint";
    static final String TLS_INCLUDE = "learningdb-tls.conf";
    public static final int DEFAULT_MAX_CONNECTIONS = 200;
    /** 15 replicas at most, plus base backups, pg_rewind and headroom. */
    public static final int MAX_WAL_SENDERS = 25;

    private static final long MB = 1024L * 1024L;

    private PostgresConfig() {
    }

    public static ConfigMap build(LearningDatabase ldb) {
        var data = new LinkedHashMap<String, String>();
        data.put(POSTGRESQL_CONF, postgresqlConf(ldb));
        data.put(PG_HBA_CONF, pgHbaConf(TlsSecrets.required(ldb)));
        return new ConfigMapBuilder()
                .withNewMetadata()
                .withName(Names.postgresConfig(ldb))
                .withNamespace(ldb.getMetadata().getNamespace())
                .withLabels(Labels.forComponent(ldb, Labels.COMPONENT_CONFIG))
                .endMetadata()
                .withData(data)
                .build();
    }

    /**
     * The effective settings: operator-managed replication settings, defaults sized from the spec, then the user's
     * parameters (which may override defaults but never managed settings; the CRD and the validator refuse those).
     * Identity settings (port, listen_addresses, cluster_name, primary_conninfo) are passed by instance.sh on the
     * command line, never here: pg_basebackup and pg_rewind copy config files verbatim between instances.
     */
    public static Map<String, String> settings(LearningDatabaseSpec spec) {
        var s = new LinkedHashMap<String, String>();
        // fixed, not derived from replicas: both need a restart, and scaling must not roll every instance
        int senders = MAX_WAL_SENDERS;
        s.put("wal_level", "replica");
        s.put("hot_standby", "on");
        s.put("max_wal_senders", Integer.toString(senders));
        s.put("max_replication_slots", Integer.toString(senders));
        s.put("wal_log_hints", "on");
        s.put("password_encryption", "scram-sha-256");
        int sync = spec.getReplication() == null ? 0 : spec.getReplication().getSynchronousReplicas();
        if (sync > 0) {
            // any n replicas, whichever they are: the primary role moves between pods
            s.put("synchronous_standby_names", "ANY " + sync + " (*)");
            s.put("synchronous_commit", "on");
        }

        s.put("max_connections", Integer.toString(DEFAULT_MAX_CONNECTIONS));
        memoryBytes(spec.getPostgres().getResources()).ifPresent(mem -> {
            s.put("shared_buffers", Math.max(16, mem / 4 / MB) + "MB");
            s.put("effective_cache_size", Math.max(32, mem * 3 / 4 / MB) + "MB");
        });
        long storage = Quantity.getAmountInBytes(new Quantity(spec.getPostgres().getStorage().getSize())).longValue();
        // WAL kept for replicas that fall behind, bounded so a dead replica's slot cannot fill the primary's disk
        s.put("wal_keep_size", Math.max(64, Math.min(1024, storage / 20 / MB)) + "MB");
        s.put("max_slot_wal_keep_size", Math.max(256, storage / 4 / MB) + "MB");
        s.put("hot_standby_feedback", "on");
        s.put("wal_receiver_status_interval", "1s");
        // a primary that goes silent (its node cut off, no TCP reset) is noticed by its replicas in 10 s, not 60:
        // the operator's watch counts "no replica streams" as half of the proof that the primary is lost
        s.put("wal_receiver_timeout", "10s");
        s.put("wal_sender_timeout", "10s");
        s.put("shared_preload_libraries", "pg_stat_statements");
        s.put("logging_collector", "off");
        s.put("log_destination", "stderr");
        s.put("log_line_prefix", "%m [%p] %q%u@%d ");
        s.put("log_checkpoints", "on");
        s.put("log_lock_waits", "on");
        s.put("log_min_duration_statement", "5s");
        if (spec.getBackup() != null) {
            s.putAll(BackupRepository.archiveSettings());
        }
        s.putAll(spec.getPostgres().getParameters());
        return s;
    }

    public static String postgresqlConf(LearningDatabase ldb) {
        var out = new StringBuilder()
                .append("# Managed by learningdb-operator for LearningDatabase ")
                .append(ldb.getMetadata().getNamespace()).append('/').append(ldb.getMetadata().getName())
                .append(".\n# Edit spec.postgres.parameters instead: this file is replaced (and reloaded) when the spec changes.\n");
        settings(ldb.getSpec()).forEach((k, v) -> out.append(k).append(" = '").append(v.replace("'", "''")).append("'\n"));
        // read back with current_setting(): which version of this file (and pg_hba.conf) the server has loaded
        out.append(CONFIG_VERSION).append(" = '").append(configVersion(ldb)).append("'\n");
        // written by instance.sh beside this file: learningdb.tls_fingerprint, the TLS files the server has loaded
        out.append("include_if_exists = '").append(TLS_INCLUDE).append("'\n");
        return out.toString();
    }

    /**
     * The version of the configuration files: a hash of the settings and pg_hba.conf. instance.sh reloads a changed
     * file; the operator compares this with what each instance reports to know which have loaded it.
     */
    public static String configVersion(LearningDatabase ldb) {
        var text = new StringBuilder();
        settings(ldb.getSpec()).forEach((k, v) -> text.append(k).append('=').append(v).append('\n'));
        text.append(pgHbaConf(TlsSecrets.required(ldb)));
        return ConfigHash.of(text.toString()).substring(0, 16);
    }

    public static String pgHbaConf() {
        return pgHbaConf(false);
    }

    /**
     * SCRAM everywhere; the superuser only over the local socket or with its password; replication for replicator.
     * With TLS required, TCP connections without TLS are refused.
     */
    public static String pgHbaConf(boolean tlsRequired) {
        String rules = """
                # Managed by learningdb-operator.
                # TYPE  DATABASE     USER        ADDRESS  METHOD
                local   all          postgres             peer
                local   all          all                  scram-sha-256
                host    replication  replicator  all      scram-sha-256
                host    replication  all         all      reject
                host    all          replicator  all      reject
                host    all          all         all      scram-sha-256
                """;
        return tlsRequired ? rules.replace("\nhost    ", "\nhostssl ") : rules;
    }

    /** max_connections the instances run with (the user may raise or lower it). */
    public static int maxConnections(LearningDatabaseSpec spec) {
        try {
            return Integer.parseInt(settings(spec).get("max_connections").trim());
        } catch (NumberFormatException e) {
            return DEFAULT_MAX_CONNECTIONS;
        }
    }

    private static Optional<Long> memoryBytes(ResourceRequirements resources) {
        if (resources == null) {
            return Optional.empty();
        }
        Quantity q = Optional.ofNullable(resources.getLimits()).map(l -> l.get("memory"))
                .orElseGet(() -> Optional.ofNullable(resources.getRequests()).map(r -> r.get("memory")).orElse(null));
        return Optional.ofNullable(q).map(v -> Quantity.getAmountInBytes(v).longValue());
    }
}
