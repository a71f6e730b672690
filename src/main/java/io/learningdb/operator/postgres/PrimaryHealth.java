package io.learningdb.operator.postgres;

/**
 * Whether a cluster's primary is alive, seen from two sides: the operator connects to it, and the replicas' WAL
 * receivers stream from it. Down is confirmed only when both fail — the operator alone may be cut off from a primary
 * that still serves and replicates (then nothing is done), and a primary whose replicas all lost it but which the
 * operator reaches is alive too.
 */
public record PrimaryHealth(String primary, boolean operatorConnects, boolean replicaStreams, String detail) {

    public static PrimaryHealth up(String primary) {
        return new PrimaryHealth(primary, true, true, null);
    }

    public boolean confirmedDown() {
        return !operatorConnects && !replicaStreams;
    }

    /** The state that decides, without the message: equal values cause no reconcile. */
    public PrimaryHealth quantized() {
        return new PrimaryHealth(primary, operatorConnects, replicaStreams, confirmedDown() ? detail : null);
    }
}
