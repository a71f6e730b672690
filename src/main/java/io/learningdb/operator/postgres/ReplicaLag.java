package io.learningdb.operator.postgres;

/**
 * One replica as measured. {@code state} is what the primary's pg_stat_replication says (streaming, catchup,
 * startup, backup, stopping) or {@code disconnected} when the replica is not connected.
 *
 * @param lagBytes WAL not yet replayed: primary's current LSN minus the replica's replay LSN
 * @param lagSeconds replay delay; 0 when everything received has been replayed (an idle primary shows no lag)
 * @param retainedWalBytes WAL the primary keeps for the replica's slot; null when the slot is missing
 */
public record ReplicaLag(String name, String state, String syncState, long lagBytes, double lagSeconds, String slot,
        Long retainedWalBytes) {

    public static final String DISCONNECTED = "disconnected";

    public boolean disconnected() {
        return DISCONNECTED.equals(state);
    }
}
