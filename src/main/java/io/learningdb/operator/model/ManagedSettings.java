package io.learningdb.operator.model;

import java.util.Arrays;
import java.util.List;

/**
 * Settings the operator owns and users may not override through {@code parameters}. The lists are compile-time
 * constants so the same text feeds the CRD's CEL rules and the operator's own validation.
 */
public final class ManagedSettings {

    public static final String POSTGRES_LIST = "'listen_addresses', 'port', 'unix_socket_directories', 'data_directory', "
            + "'config_file', 'hba_file', 'ident_file', 'cluster_name', 'wal_level', 'hot_standby', 'max_wal_senders', "
            + "'max_replication_slots', 'wal_log_hints', 'primary_conninfo', 'primary_slot_name', "
            + "'recovery_target_timeline', 'synchronous_standby_names', 'password_encryption', 'ssl', "
            + "'ssl_cert_file', 'ssl_key_file', 'ssl_ca_file', "
            // each of these runs a shell command or loads code in the database pod, where the Secrets are mounted,
            // or breaks durability (CloudNativePG's fixed-parameter list is the reference)
            + "'archive_mode', 'archive_command', 'archive_library', 'restore_command', 'archive_cleanup_command', "
            + "'recovery_end_command', 'ssl_passphrase_command', 'ssl_passphrase_command_supports_reload', "
            + "'shared_preload_libraries', 'session_preload_libraries', 'local_preload_libraries', "
            + "'dynamic_library_path', 'jit_provider', 'include', 'include_dir', 'include_if_exists', 'fsync', "
            + "'full_page_writes', 'allow_system_table_mods'";

    public static final String POOLER_LIST = "'listen_addr', 'listen_port', 'unix_socket_dir', 'auth_type', "
            + "'auth_file', 'auth_user', 'auth_query', 'auth_dbname', 'pool_mode', 'default_pool_size', "
            + "'max_client_conn', 'max_db_connections', 'admin_users', 'stats_users', 'logfile', 'pidfile', 'user', "
            + "'client_tls_sslmode', 'client_tls_key_file', 'client_tls_cert_file', 'client_tls_ca_file', "
            + "'server_tls_sslmode', 'server_tls_ca_file'";

    /** At most this many parameters per block (a bound the API server's CEL cost estimate needs). */
    public static final int MAX_PARAMETERS = 200;
    /** The longest parameter value (search_path-style lists fit easily). */
    public static final int MAX_PARAMETER_VALUE = 1024;

    /** Keys must look like configuration names; values must not break out of one line of the config file. */
    public static final String KEY_AND_VALUE_RULE = "self.all(k, k.matches('^[a-z][a-z0-9_.]*$') && "
            + "!self[k].contains('\\n') && !self[k].contains('\\r'))";

    public static final String POSTGRES_RULE = "self.all(k, !(k in [" + POSTGRES_LIST + "]))";
    public static final String POSTGRES_MESSAGE = "parameters may not set settings the operator manages: " + POSTGRES_LIST;
    public static final String POOLER_RULE = "self.all(k, !(k in [" + POOLER_LIST + "]))";
    public static final String POOLER_MESSAGE = "pooler parameters may not set settings the operator manages "
            + "(use the pooler fields instead where one exists): " + POOLER_LIST;
    public static final String KEY_AND_VALUE_MESSAGE = "parameter names must match ^[a-z][a-z0-9_.]*$ and values may "
            + "not contain line breaks";

    /** Role names the operator creates itself; the application owner may not take them. */
    public static final String RESERVED_ROLES_LIST = "'postgres', 'replicator', 'pgbouncer_auth', 'learningdb_maintenance'";

    private ManagedSettings() {
    }

    public static List<String> postgres() {
        return parse(POSTGRES_LIST);
    }

    public static List<String> pooler() {
        return parse(POOLER_LIST);
    }

    public static List<String> reservedRoles() {
        return parse(RESERVED_ROLES_LIST);
    }

    private static List<String> parse(String celList) {
        return Arrays.stream(celList.split(",")).map(s -> s.trim().replace("'", "")).toList();
    }
}
