package io.learningdb.operator.status;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

import io.fabric8.kubernetes.api.model.Quantity;
import io.learningdb.operator.model.InstanceStatus;
import io.learningdb.operator.model.LearningDatabase;
import io.learningdb.operator.model.LearningDatabaseStatus;
import io.learningdb.operator.model.ReplicationLagSpec;
import io.learningdb.operator.postgres.ReplicaLag;
import io.learningdb.operator.postgres.ReplicationSnapshot;
import io.learningdb.operator.resources.Labels;

/**
 * Replication in status: per-replica lag, cluster maximum, and the ReplicationHealthy condition. A replica becomes
 * lagging above a threshold and stops lagging only under {@link #CLEAR_FACTOR} of it (hysteresis), so a replica
 * hovering at the threshold does not flap. Pure.
 */
public final class ReplicationHealth {

    public static final double CLEAR_FACTOR = 0.8;

    private ReplicationHealth() {
    }

    public static long maxLagBytes(ReplicationLagSpec spec) {
        return Quantity.getAmountInBytes(new Quantity(spec.getMaxLagBytes())).longValue();
    }

    public static void apply(LearningDatabase ldb, LearningDatabaseStatus previous, LearningDatabaseStatus next,
            Optional<ReplicationSnapshot> snapshot, Instant now) {
        var spec = ldb.getSpec().getReplicationLag();
        long generation = next.getObservedGeneration();
        Map<String, InstanceStatus> before = previous.getInstances() == null ? Map.of()
                : previous.getInstances().stream().collect(Collectors.toMap(InstanceStatus::getName, Function.identity(), (a, b) -> a));
        // the version each instance runs, as it answered; kept while it cannot be measured (changes only on upgrades)
        var versions = snapshot.map(ReplicationSnapshot::versions).orElse(Map.of());
        for (InstanceStatus i : next.getInstances()) {
            String was = Optional.ofNullable(before.get(i.getName())).map(InstanceStatus::getVersion).orElse(null);
            i.setVersion(versions.getOrDefault(i.getName(), was));
        }
        var replicas = next.getInstances().stream().filter(i -> Labels.ROLE_REPLICA.equals(i.getRole())).toList();
        var conditions = next.getConditions();
        var prevConditions = previous.getConditions();

        if (ldb.getSpec().getReplicas() == 0) {
            Conditions.set(conditions, prevConditions, Conditions.REPLICATION_HEALTHY, true, "NoReplicas",
                    "the cluster has no replicas", generation, now);
            return;
        }
        if (snapshot.isEmpty()) {
            // not measured yet: keep what was known, if anything
            for (InstanceStatus i : replicas) {
                copyLag(before.get(i.getName()), i);
            }
            next.setMaxLagBytes(previous.getMaxLagBytes());
            next.setMaxLagSeconds(previous.getMaxLagSeconds());
            next.setMaxLag(previous.getMaxLag());
            if (Conditions.find(prevConditions, Conditions.REPLICATION_HEALTHY).isEmpty()) {
                Conditions.set(conditions, prevConditions, Conditions.REPLICATION_HEALTHY, Conditions.UNKNOWN,
                        "NotMeasuredYet", "replication is measured once the primary is ready", generation, now);
            }
            return;
        }
        var snap = snapshot.get();
        if (!snap.reachable()) {
            for (InstanceStatus i : replicas) {
                copyLag(before.get(i.getName()), i);
                if (i.getLagBytes() != null) {
                    i.setLagStale(true);
                }
            }
            next.setMaxLagBytes(previous.getMaxLagBytes());
            next.setMaxLagSeconds(previous.getMaxLagSeconds());
            next.setMaxLag("unknown");
            Conditions.set(conditions, prevConditions, Conditions.REPLICATION_HEALTHY, Conditions.UNKNOWN,
                    "DatabaseUnreachable", "cannot measure replication: " + snap.error()
                            + (previous.getMaxLagSeconds() != null && previous.getMaxLagBytes() != null
                                    ? "; last known maximum lag " + previous.getMaxLagSeconds() + "s / "
                                            + humanBytes(previous.getMaxLagBytes())
                                    : ""),
                    generation, now);
            return;
        }

        long maxBytes = maxLagBytes(spec);
        int maxSeconds = spec.getMaxLagSeconds();
        Map<String, ReplicaLag> measured = snap.replicas().stream()
                .collect(Collectors.toMap(ReplicaLag::name, Function.identity(), (a, b) -> a));
        long worstBytes = 0;
        long worstSeconds = 0;
        var lagging = new ArrayList<String>();
        var disconnected = new ArrayList<String>();
        for (InstanceStatus i : replicas) {
            ReplicaLag lag = measured.get(i.getName());
            if (lag == null) {
                continue;
            }
            long seconds = Math.round(lag.lagSeconds());
            i.setState(lag.state());
            i.setSyncState(lag.syncState());
            i.setLagBytes(lag.lagBytes());
            i.setLagSeconds(seconds);
            i.setSlot(lag.slot());
            i.setRetainedWalBytes(lag.retainedWalBytes());
            boolean wasLagging = Optional.ofNullable(before.get(i.getName())).map(InstanceStatus::getLagging)
                    .orElse(false);
            double factor = wasLagging ? CLEAR_FACTOR : 1.0;
            boolean isLagging = lag.lagBytes() > maxBytes * factor || seconds > maxSeconds * factor;
            i.setLagging(isLagging);
            worstBytes = Math.max(worstBytes, lag.lagBytes());
            worstSeconds = Math.max(worstSeconds, seconds);
            if (lag.disconnected()) {
                disconnected.add(i.getName());
            } else if (isLagging) {
                lagging.add(i.getName() + " (" + seconds + "s / " + humanBytes(lag.lagBytes()) + ")");
            }
        }
        next.setMaxLagBytes(worstBytes);
        next.setMaxLagSeconds(worstSeconds);
        next.setMaxLag(worstSeconds + "s / " + humanBytes(worstBytes));
        String thresholds = "thresholds " + maxSeconds + "s / " + spec.getMaxLagBytes();
        if (!disconnected.isEmpty()) {
            Conditions.set(conditions, prevConditions, Conditions.REPLICATION_HEALTHY, false, "ReplicaDisconnected",
                    "not streaming from the primary: " + String.join(", ", disconnected)
                            + (lagging.isEmpty() ? "" : "; lagging: " + String.join(", ", lagging)), generation, now);
        } else if (!lagging.isEmpty()) {
            Conditions.set(conditions, prevConditions, Conditions.REPLICATION_HEALTHY, false, "ReplicaLagging",
                    "lagging: " + String.join(", ", lagging) + " (" + thresholds + ")", generation, now);
        } else {
            Conditions.set(conditions, prevConditions, Conditions.REPLICATION_HEALTHY, true, "ReplicasStreaming",
                    replicas.size() + " replicas streaming, maximum lag " + next.getMaxLag() + " (" + thresholds + ")",
                    generation, now);
        }
    }

    private static void copyLag(InstanceStatus from, InstanceStatus to) {
        if (from == null) {
            return;
        }
        to.setState(from.getState());
        to.setSyncState(from.getSyncState());
        to.setLagBytes(from.getLagBytes());
        to.setLagSeconds(from.getLagSeconds());
        to.setLagging(from.getLagging());
        to.setSlot(from.getSlot());
        to.setRetainedWalBytes(from.getRetainedWalBytes());
        to.setLagStale(from.getLagStale());
    }

    public static String humanBytes(long bytes) {
        if (bytes < 1024) {
            return bytes + "B";
        }
        String[] units = { "KiB", "MiB", "GiB", "TiB" };
        double v = bytes;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return (v >= 10 ? String.valueOf(Math.round(v)) : String.format(java.util.Locale.ROOT, "%.1f", v)) + units[u];
    }

    /** Replicas whose lag or connection changed in a way worth an Event: (replica, reason, message, warning). */
    public record Transition(String replica, String reason, String message, boolean warning) {
    }

    public static List<Transition> transitions(LearningDatabaseStatus previous, LearningDatabaseStatus next) {
        var result = new ArrayList<Transition>();
        Map<String, InstanceStatus> before = previous == null || previous.getInstances() == null ? Map.of()
                : previous.getInstances().stream().collect(Collectors.toMap(InstanceStatus::getName, Function.identity(), (a, b) -> a));
        for (InstanceStatus now : next.getInstances()) {
            InstanceStatus was = before.get(now.getName());
            if (!Labels.ROLE_REPLICA.equals(now.getRole()) || now.getState() == null || Boolean.TRUE.equals(now.getLagStale())) {
                continue;
            }
            boolean wasBad = was != null && (ReplicaLag.DISCONNECTED.equals(was.getState()) || Boolean.TRUE.equals(was.getLagging()));
            boolean disconnectedNow = ReplicaLag.DISCONNECTED.equals(now.getState());
            boolean laggingNow = Boolean.TRUE.equals(now.getLagging());
            if (disconnectedNow && (was == null || !ReplicaLag.DISCONNECTED.equals(was.getState()))) {
                result.add(new Transition(now.getName(), "ReplicaDisconnected", now.getName()
                        + " is not streaming from the primary; its slot keeps "
                        + humanBytes(Optional.ofNullable(now.getRetainedWalBytes()).orElse(0L)) + " of WAL", true));
            } else if (!disconnectedNow && laggingNow && (was == null || !Boolean.TRUE.equals(was.getLagging()))) {
                result.add(new Transition(now.getName(), "ReplicaLagging", now.getName() + " is " + now.getLagSeconds()
                        + "s / " + humanBytes(now.getLagBytes()) + " behind the primary", true));
            } else if (wasBad && !disconnectedNow && !laggingNow) {
                result.add(new Transition(now.getName(), "ReplicaRecovered", now.getName() + " is " + now.getState()
                        + " again, " + now.getLagSeconds() + "s / " + humanBytes(now.getLagBytes()) + " behind", false));
            }
        }
        return result;
    }
}
