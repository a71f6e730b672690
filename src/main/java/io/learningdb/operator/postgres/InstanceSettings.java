package io.learningdb.operator.postgres;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;

/**
 * What one instance runs, as it answered the probe: its PostgreSQL version, the configuration version it has loaded
 * (learningdb.config_version, see PostgresConfig), the parameters that wait for a restart, and the values it refused.
 *
 * @param configVersion the configuration version loaded; null before the instance has loaded a versioned file
 * @param pendingRestart parameters whose new value is in the loaded file but takes effect only on restart
 * @param refused settings of the file that PostgreSQL could not apply and that no restart would apply either
 *        ({@code name = 'value'}): an invalid value, say; an instance would not even start with them
 * @param startedAt when the running postmaster started: a reading from before a restart says nothing about after it
 * @param lowered parameters a replica must not run below its primary ({@link #REPLICA_BOUND}) whose pending value is
 *        lower than the running one ({@code name: running → pending})
 * @param tlsFingerprint of the certificate and CA bundle the server has loaded (learningdb.tls_fingerprint, written
 *        by instance.sh as it installs them; {@code TlsSecrets.fingerprint} of the Secret); null without TLS
 */
public record InstanceSettings(String version, String configVersion, List<String> pendingRestart, List<String> refused,
        Instant startedAt, List<String> lowered, String tlsFingerprint) {

    /**
     * Parameters whose value on a replica must be at least the primary's: a replica started with less refuses to start
     * ("recovery aborted because of insufficient parameter settings").
     */
    public static final List<String> REPLICA_BOUND = List.of("max_connections", "max_locks_per_transaction",
            "max_prepared_transactions", "max_wal_senders", "max_worker_processes");

    /** Columns read with the primary's and each replica's own row (superuser: pg_file_settings). */
    static final String COLUMNS = """
            current_setting('server_version') AS server_version,
                   current_setting('learningdb.config_version', true) AS config_version,
                   current_setting('learningdb.tls_fingerprint', true) AS tls_fingerprint,
                   pg_postmaster_start_time() AS started_at,
                   (SELECT string_agg(name, ',' ORDER BY name) FROM pg_settings WHERE pending_restart) AS pending_restart,
                   (SELECT string_agg(coalesce(f.name, 'line ' || f.sourceline) || coalesce(' = ''' || f.setting || '''', ''),
                                      E'\\n' ORDER BY f.sourcefile, f.sourceline)
                      FROM pg_file_settings f
                     WHERE f.error IS NOT NULL
                       AND NOT EXISTS (SELECT 1 FROM pg_settings s WHERE s.name = f.name AND s.pending_restart)) AS refused,
                   (SELECT string_agg(s.name || '=' || s.setting || '=' || coalesce(f.setting, s.boot_val), ',')
                      FROM pg_settings s
                      LEFT JOIN LATERAL (SELECT setting FROM pg_file_settings f WHERE f.name = s.name
                                          ORDER BY f.seqno DESC LIMIT 1) f ON true
                     WHERE s.pending_restart AND s.name IN ('max_connections', 'max_locks_per_transaction',
                           'max_prepared_transactions', 'max_wal_senders', 'max_worker_processes')) AS limits""";

    public InstanceSettings {
        pendingRestart = List.copyOf(pendingRestart);
        refused = List.copyOf(refused);
        lowered = List.copyOf(lowered);
    }

    public InstanceSettings(String version, String configVersion, List<String> pendingRestart, List<String> refused,
            Instant startedAt) {
        this(version, configVersion, pendingRestart, refused, startedAt, List.of());
    }

    public InstanceSettings(String version, String configVersion, List<String> pendingRestart, List<String> refused,
            Instant startedAt, List<String> lowered) {
        this(version, configVersion, pendingRestart, refused, startedAt, lowered, null);
    }

    public static InstanceSettings of(String version) {
        return new InstanceSettings(version, null, List.of(), List.of(), null);
    }

    static InstanceSettings read(ResultSet rs) throws SQLException {
        var started = rs.getTimestamp("started_at");
        return new InstanceSettings(rs.getString("server_version"), rs.getString("config_version"),
                split(rs.getString("pending_restart"), ","), split(rs.getString("refused"), "\n"),
                started == null ? null : started.toInstant(), lowered(rs.getString("limits")),
                rs.getString("tls_fingerprint"));
    }

    /** From {@code name=running=pending,...}: those whose pending value is lower (compared here: no cast in SQL). */
    static List<String> lowered(String limits) {
        var out = new java.util.ArrayList<String>();
        for (String entry : split(limits, ",")) {
            String[] p = entry.split("=", 3);
            try {
                if (p.length == 3 && Long.parseLong(p[2].trim()) < Long.parseLong(p[1].trim())) {
                    out.add(p[0] + ": " + p[1] + " → " + p[2].trim());
                }
            } catch (NumberFormatException e) {
                // not a plain integer: PostgreSQL reports it as refused, or takes it as written
            }
        }
        return out;
    }

    private static List<String> split(String joined, String separator) {
        return joined == null || joined.isEmpty() ? List.of() : Arrays.asList(joined.split(separator));
    }

    /**
     * The parameters waiting for a restart of the instance that started at {@code containerStarted}, if this reading
     * was taken from that run (a reading older than the restart says nothing about the new postmaster).
     */
    public List<String> pendingRestartSince(Instant containerStarted) {
        if (startedAt == null || containerStarted == null || startedAt.isBefore(containerStarted)) {
            return List.of();
        }
        return pendingRestart;
    }
}
