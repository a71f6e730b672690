package io.learningdb.operator.postgres;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.List;

/**
 * Replication of one cluster at one poll. {@link #quantized()} rounds to the reporting resolution (bytes to 2
 * significant digits, seconds to whole seconds) so that an unchanged cluster yields an equal snapshot and causes
 * no status write.
 *
 * @param error why the primary could not be measured; null when it could
 * @param systemIdentifier the primary's PostgreSQL system identifier; null when it was not measured
 * @param outOfRecovery instances measured as replicas that answered as primaries (left recovery): rogue primaries
 * @param archiver WAL archiving on the primary; null when the cluster has no backups or it was not measured
 * @param settings what each instance that answered runs (version, loaded configuration, pending restart), by pod name
 */
public record ReplicationSnapshot(String primary, String error, List<ReplicaLag> replicas, String systemIdentifier,
        List<String> outOfRecovery, ArchiverView archiver, java.util.Map<String, InstanceSettings> settings) {

    public ReplicationSnapshot(String primary, String error, List<ReplicaLag> replicas, String systemIdentifier,
            List<String> outOfRecovery) {
        this(primary, error, replicas, systemIdentifier, outOfRecovery, null, java.util.Map.of());
    }

    public ReplicationSnapshot withArchiver(ArchiverView archiver) {
        return new ReplicationSnapshot(primary, error, replicas, systemIdentifier, outOfRecovery, archiver, settings);
    }

    public ReplicationSnapshot(String primary, String error, List<ReplicaLag> replicas) {
        this(primary, error, replicas, null, List.of());
    }

    public static ReplicationSnapshot unreachable(String primary, String error) {
        return new ReplicationSnapshot(primary, error, List.of());
    }

    /** The PostgreSQL version (server_version) of each instance that answered, by pod name. */
    public java.util.Map<String, String> versions() {
        var versions = new java.util.TreeMap<String, String>();
        settings.forEach((pod, s) -> {
            if (s.version() != null) {
                versions.put(pod, s.version());
            }
        });
        return versions;
    }

    public boolean reachable() {
        return error == null;
    }

    public ReplicationSnapshot quantized() {
        return new ReplicationSnapshot(primary, error, replicas.stream()
                .map(r -> new ReplicaLag(r.name(), r.state(), r.syncState(), significant(r.lagBytes()),
                        Math.round(r.lagSeconds()), r.slot(),
                        r.retainedWalBytes() == null ? null : significant(r.retainedWalBytes())))
                .toList(), systemIdentifier, outOfRecovery, archiver, settings);
    }

    /** Rounds to two significant digits: 0, 8100, 1200000 ... */
    static long significant(long value) {
        if (value < 100) {
            return Math.max(0, value);
        }
        return new BigDecimal(value).round(new MathContext(2, RoundingMode.HALF_UP)).longValue();
    }
}
