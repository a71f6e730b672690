package io.learningdb.operator.postgres;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/** The SQL of a failover: where each replica is, promoting one, and preparing it for the others. */
public final class Promotion {

    /** A replica's WAL position: received and replayed, as byte positions; inRecovery false once promoted. */
    public record Position(boolean inRecovery, long receiveLsn, long replayLsn) {
        public long advance() {
            return Math.max(receiveLsn, replayLsn);
        }
    }

    private Promotion() {
    }

    public static Position position(Connection c) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("""
                SELECT pg_is_in_recovery() AS in_recovery,
                       coalesce(pg_wal_lsn_diff(pg_last_wal_receive_lsn(), '0/0'), 0)::bigint AS receive_lsn,
                       coalesce(pg_wal_lsn_diff(pg_last_wal_replay_lsn(), '0/0'),
                                pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0'))::bigint AS replay_lsn""")) {
            rs.next();
            return new Position(rs.getBoolean("in_recovery"), rs.getLong("receive_lsn"), rs.getLong("replay_lsn"));
        }
    }

    /**
     * Promotes a replica and waits (up to {@code waitSeconds}) until it accepts writes, then asks for a checkpoint so
     * that pg_rewind of the old primary sees the new timeline. Idempotent: an instance already promoted is left alone.
     * No statement waits long: {@code pg_promote(wait => false)} only signals, and the wait is a series of short
     * {@code pg_is_in_recovery()} queries — a single {@code pg_promote(true, 60)} would be cancelled by the pool's
     * statement timeout (and its socket timeout) after a few seconds while the promotion goes on regardless.
     */
    public static void promote(Connection c, int waitSeconds) throws SQLException {
        if (position(c).inRecovery()) {
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT pg_promote(false)")) {
                rs.next();
            }
            long deadline = System.nanoTime() + waitSeconds * 1_000_000_000L;
            while (position(c).inRecovery()) {
                if (System.nanoTime() > deadline) {
                    throw new SQLException("promotion did not complete within " + waitSeconds + "s");
                }
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new SQLException("interrupted while waiting for the promotion", e);
                }
            }
        }
        try (Statement st = c.createStatement()) {
            // a checkpoint can outlast the statement timeout; cancelling the wait leaves it running in the checkpointer
            st.execute("SET statement_timeout = 0");
            st.execute("CHECKPOINT");
        } catch (SQLException e) {
            // promoted either way: the checkpointer finishes what was requested, pg_rewind waits for it if it must
        } finally {
            try (Statement st = c.createStatement()) {
                st.execute("RESET statement_timeout");
            } catch (SQLException e) {
                // a broken connection is discarded by the pool
            }
        }
    }

    /**
     * Stops a primary from taking writes for a planned switchover: new transactions are read-only and every client
     * session is ended. Returns its WAL position afterwards; once a replica has replayed up to it, no committed
     * transaction can be lost by promoting that replica.
     */
    public static long fence(Connection c) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute("ALTER SYSTEM SET default_transaction_read_only = on");
            st.execute("SELECT pg_reload_conf()");
            st.execute("""
                    SELECT pg_terminate_backend(pid) FROM pg_stat_activity
                    WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()""");
            try (ResultSet rs = st.executeQuery("SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::bigint")) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /** Undoes {@link #fence(Connection)} when a switchover is abandoned. */
    public static void unfence(Connection c) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute("ALTER SYSTEM RESET default_transaction_read_only");
            st.execute("SELECT pg_reload_conf()");
        }
    }

    /** Creates the physical slots the other instances stream through (the old primary's slots are not carried over). */
    public static void ensureSlots(Connection c, List<String> slots) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT pg_create_physical_replication_slot(?, true)
                WHERE NOT EXISTS (SELECT 1 FROM pg_replication_slots WHERE slot_name = ?)""")) {
            for (String slot : slots) {
                ps.setString(1, slot);
                ps.setString(2, slot);
                ps.executeQuery().close();
            }
        }
    }
}
