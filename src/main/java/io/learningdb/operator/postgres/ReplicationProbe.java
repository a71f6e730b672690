package io.learningdb.operator.postgres;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The SQL that measures replication. The primary's pg_stat_replication gives state, sync state and replay LSN of
 * connected replicas; pg_replication_slots covers disconnected ones (they vanish from pg_stat_replication); each
 * replica's own receive/replay LSNs and last replay timestamp give replay lag in seconds, reported as 0 when all
 * received WAL is replayed (otherwise an idle primary would show growing false lag).
 */
public final class ReplicationProbe {

    static final String PRIMARY_SQL = """
            SELECT pg_is_in_recovery() AS in_recovery,
                   pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::bigint AS current_lsn,
                   (SELECT system_identifier FROM pg_control_system())::text AS system_identifier,
                   """ + InstanceSettings.COLUMNS;
    static final String SENDERS_SQL = """
            SELECT application_name, state, sync_state,
                   pg_wal_lsn_diff(replay_lsn, '0/0')::bigint AS replay_lsn,
                   coalesce(extract(epoch FROM replay_lag), 0)::float8 AS replay_lag_seconds
            FROM pg_stat_replication""";
    static final String SLOTS_SQL = """
            SELECT slot_name, active, pg_wal_lsn_diff(restart_lsn, '0/0')::bigint AS restart_lsn
            FROM pg_replication_slots WHERE slot_type = 'physical'""";
    static final String REPLICA_SQL = """
            SELECT pg_is_in_recovery() AS in_recovery,
                   pg_wal_lsn_diff(pg_last_wal_replay_lsn(), '0/0')::bigint AS replay_lsn,
                   CASE WHEN pg_last_wal_receive_lsn() IS NULL OR pg_last_wal_receive_lsn() <= pg_last_wal_replay_lsn()
                        THEN 0
                        ELSE coalesce(extract(epoch FROM now() - pg_last_xact_replay_timestamp()), 0)
                   END::float8 AS replay_lag_seconds,
                   """ + InstanceSettings.COLUMNS;

    static final String ARCHIVER_SQL = """
            SELECT last_archived_wal, last_archived_time, last_failed_wal, last_failed_time FROM pg_stat_archiver""";
    /** The newest error file pgBackRest's asynchronous archive-push left (superuser: pg_ls_dir, pg_read_file). */
    static final String ARCHIVE_ERROR_SQL = """
            SELECT pg_read_file(? || '/' || f, 0, 2000, true) AS message
            FROM pg_ls_dir(?, true, false) AS f WHERE f LIKE '%.error'
            ORDER BY (pg_stat_file(? || '/' || f, true)).modification DESC LIMIT 1""";

    /** What the primary reports. LSNs are byte positions. */
    public record PrimaryView(long currentLsn, Map<String, Sender> senders, Map<String, Long> slotRestartLsn,
            String systemIdentifier, InstanceSettings settings) {

        public PrimaryView(long currentLsn, Map<String, Sender> senders, Map<String, Long> slotRestartLsn) {
            this(currentLsn, senders, slotRestartLsn, null, null);
        }

        public PrimaryView(long currentLsn, Map<String, Sender> senders, Map<String, Long> slotRestartLsn,
                String systemIdentifier) {
            this(currentLsn, senders, slotRestartLsn, systemIdentifier, null);
        }
    }

    public record Sender(String state, String syncState, Long replayLsn, double replayLagSeconds) {
    }

    /** What a replica reports about itself. */
    public record ReplicaView(boolean inRecovery, Long replayLsn, double replayLagSeconds, InstanceSettings settings) {
        public ReplicaView(boolean inRecovery, Long replayLsn, double replayLagSeconds) {
            this(inRecovery, replayLsn, replayLagSeconds, null);
        }
    }

    /** A replica to measure: its pod name, its slot, and how its own view was read (empty when unreachable). */
    public record Target(String name, String slot, Optional<ReplicaView> view) {
    }

    /** An instance to measure: pod name, address, and (for replicas) its slot on the primary. */
    public record Instance(String name, Endpoint endpoint, String slot) {
    }

    private ReplicationProbe() {
    }

    /**
     * Measures one cluster: the primary must answer (else the snapshot says why it could not be measured); a replica
     * that does not answer is still reported from the primary's view.
     */
    public static ReplicationSnapshot measure(ConnectionPools pools, Login login, Instance primary, List<Instance> replicas) {
        return measure(pools, login, primary, replicas, null);
    }

    /** @param archiveErrorDir pgBackRest's spool out directory when the cluster archives WAL; null when it does not */
    public static ReplicationSnapshot measure(ConnectionPools pools, Login login, Instance primary, List<Instance> replicas,
            String archiveErrorDir) {
        var targets = new ArrayList<Target>();
        for (Instance r : replicas) {
            Optional<ReplicaView> view;
            try (Connection c = pools.connect(r.endpoint(), login, "postgres")) {
                view = Optional.of(readReplica(c));
            } catch (SQLException e) {
                pools.invalidate(r.endpoint(), login);
                view = Optional.empty();
            }
            targets.add(new Target(r.name(), r.slot(), view));
        }
        PrimaryView p;
        ArchiverView archiver = null;
        try (Connection c = pools.connect(primary.endpoint(), login, "postgres")) {
            p = readPrimary(c);
            if (archiveErrorDir != null) {
                archiver = readArchiver(c, archiveErrorDir);
            }
        } catch (SQLException e) {
            pools.invalidate(primary.endpoint(), login);
            return ReplicationSnapshot.unreachable(primary.name(), primary.name() + " (" + primary.endpoint().host() + ":"
                    + primary.endpoint().port() + "): " + ConnectionFailure.describe(e));
        }
        return combine(primary.name(), p, targets).withArchiver(archiver);
    }

    /**
     * The archiver's state; with {@code errorDir} (pgBackRest's spool out directory) the message of the newest
     * failure, whose first line is pgBackRest's error code.
     */
    public static ArchiverView readArchiver(Connection c, String errorDir) throws SQLException {
        String wal;
        java.time.Instant at;
        String failedWal;
        java.time.Instant failedAt;
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(ARCHIVER_SQL)) {
            rs.next();
            wal = rs.getString("last_archived_wal");
            at = instant(rs.getTimestamp("last_archived_time"));
            failedWal = rs.getString("last_failed_wal");
            failedAt = instant(rs.getTimestamp("last_failed_time"));
        }
        String message = null;
        if (errorDir != null && failedAt != null && (at == null || failedAt.isAfter(at))) {
            try (var ps = c.prepareStatement(ARCHIVE_ERROR_SQL)) {
                ps.setString(1, errorDir);
                ps.setString(2, errorDir);
                ps.setString(3, errorDir);
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next() && rs.getString("message") != null) {
                        message = summary(rs.getString("message"));
                    }
                }
            }
        }
        return new ArchiverView(wal, at, failedWal, failedAt, message);
    }

    /** pgBackRest's code and message without the HTTP dump that follows ("*** Path/Query ***" ...), on one line. */
    static String summary(String message) {
        String s = message.split("\\*\\*\\*", 2)[0].strip().replaceAll("\\s+", " ");
        return s.length() > 400 ? s.substring(0, 397) + "..." : s;
    }

    private static java.time.Instant instant(java.sql.Timestamp t) {
        return t == null ? null : t.toInstant();
    }

    public static PrimaryView readPrimary(Connection c) throws SQLException {
        try (Statement st = c.createStatement()) {
            long current;
            String systemIdentifier;
            InstanceSettings settings;
            try (ResultSet rs = st.executeQuery(PRIMARY_SQL)) {
                rs.next();
                if (rs.getBoolean("in_recovery")) {
                    throw new SQLException("instance is in recovery: it is not the primary");
                }
                current = rs.getLong("current_lsn");
                systemIdentifier = rs.getString("system_identifier");
                settings = InstanceSettings.read(rs);
            }
            var senders = new HashMap<String, Sender>();
            try (ResultSet rs = st.executeQuery(SENDERS_SQL)) {
                while (rs.next()) {
                    Long replay = rs.getObject("replay_lsn") == null ? null : rs.getLong("replay_lsn");
                    senders.put(rs.getString("application_name"), new Sender(rs.getString("state"),
                            rs.getString("sync_state"), replay, rs.getDouble("replay_lag_seconds")));
                }
            }
            var slots = new HashMap<String, Long>();
            try (ResultSet rs = st.executeQuery(SLOTS_SQL)) {
                while (rs.next()) {
                    slots.put(rs.getString("slot_name"), rs.getObject("restart_lsn") == null ? null : rs.getLong("restart_lsn"));
                }
            }
            return new PrimaryView(current, senders, slots, systemIdentifier, settings);
        }
    }

    public static ReplicaView readReplica(Connection c) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(REPLICA_SQL)) {
            rs.next();
            Long replay = rs.getObject("replay_lsn") == null ? null : rs.getLong("replay_lsn");
            return new ReplicaView(rs.getBoolean("in_recovery"), replay, rs.getDouble("replay_lag_seconds"),
                    InstanceSettings.read(rs));
        }
    }

    /** Combines the primary's and the replicas' views into one snapshot. Pure. */
    public static ReplicationSnapshot combine(String primary, PrimaryView p, List<Target> replicas) {
        var result = new ArrayList<ReplicaLag>();
        for (Target t : replicas) {
            Sender sender = p.senders().get(t.name());
            Long slotLsn = p.slotRestartLsn().get(t.slot());
            boolean hasSlot = p.slotRestartLsn().containsKey(t.slot());
            Long replayLsn = sender != null && sender.replayLsn() != null ? sender.replayLsn()
                    : t.view().map(ReplicaView::replayLsn).orElse(slotLsn);
            long lagBytes = replayLsn == null ? 0 : Math.max(0, p.currentLsn() - replayLsn);
            double lagSeconds = t.view().map(ReplicaView::replayLagSeconds)
                    .orElse(sender != null ? sender.replayLagSeconds() : 0.0);
            Long retained = hasSlot && slotLsn != null ? Math.max(0, p.currentLsn() - slotLsn) : null;
            result.add(new ReplicaLag(t.name(),
                    sender != null ? sender.state() : ReplicaLag.DISCONNECTED,
                    sender != null ? sender.syncState() : null,
                    lagBytes, Math.max(0, lagSeconds), hasSlot ? t.slot() : null, retained));
        }
        var outOfRecovery = replicas.stream().filter(t -> t.view().map(v -> !v.inRecovery()).orElse(false))
                .map(Target::name).toList();
        var settings = new java.util.TreeMap<String, InstanceSettings>();
        if (p.settings() != null) {
            settings.put(primary, p.settings());
        }
        replicas.forEach(t -> t.view().map(ReplicaView::settings).ifPresent(v -> settings.put(t.name(), v)));
        return new ReplicationSnapshot(primary, null, result, p.systemIdentifier(), outOfRecovery, null, settings);
    }
}
