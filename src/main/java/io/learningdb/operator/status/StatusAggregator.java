package io.learningdb.operator.status;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.learningdb.operator.model.Endpoints;
import io.learningdb.operator.model.InstanceStatus;
import io.learningdb.operator.model.LearningDatabase;
import io.learningdb.operator.model.LearningDatabaseStatus;
import io.learningdb.operator.model.LearningDatabaseStatus.Phase;
import io.learningdb.operator.postgres.ReplicationSnapshot;
import io.learningdb.operator.resources.Labels;
import io.learningdb.operator.resources.Names;

/** Builds the next status from what is observed. Pure: no client, the clock is a parameter. */
public final class StatusAggregator {

    public static final String PENDING_ROLE = "pending";

    private StatusAggregator() {
    }

    /** Status of a spec that cannot be used: Failed, Ready=False with the reason, everything else kept. */
    public static LearningDatabaseStatus failed(LearningDatabase ldb, String reason, String message, Instant now) {
        var previous = Optional.ofNullable(ldb.getStatus()).orElseGet(LearningDatabaseStatus::new);
        var next = copyObserved(previous);
        next.setObservedGeneration(ldb.getMetadata().getGeneration());
        next.setPhase(Phase.Failed);
        var conditions = new ArrayList<>(previous.getConditions());
        Conditions.set(conditions, previous.getConditions(), Conditions.READY, false, reason, message,
                ldb.getMetadata().getGeneration(), now);
        next.setConditions(conditions);
        return next;
    }

    /**
     * Status from the instance pods and the pooler StatefulSet.
     *
     * @param reconcileError set when applying the desired objects failed; reported as Ready=False
     */
    public static LearningDatabaseStatus observed(LearningDatabase ldb, String primary, List<Pod> instancePods,
            Optional<StatefulSet> pooler, Optional<ReplicationSnapshot> replication, Maintenance maintenance,
            String reconcileError, Instant now) {
        var previous = Optional.ofNullable(ldb.getStatus()).orElseGet(LearningDatabaseStatus::new);
        long generation = Optional.ofNullable(ldb.getMetadata().getGeneration()).orElse(0L);
        var next = new LearningDatabaseStatus();
        next.setObservedGeneration(generation);
        next.setPrimary(primary);
        // recorded once, never replaced: another identifier is another database (see systemIdentifierMismatch)
        next.setSystemIdentifier(previous.getSystemIdentifier() != null ? previous.getSystemIdentifier()
                : replication.map(ReplicationSnapshot::systemIdentifier).orElse(null));
        next.setPostgresVersion(previous.getPostgresVersion());
        next.setMajorUpgrade(previous.getMajorUpgrade());
        next.setPrimaryRestart(previous.getPrimaryRestart());

        var instances = instancePods.stream()
                .sorted(Comparator.comparingInt(StatusAggregator::ordinal))
                .map(p -> new InstanceStatus(p.getMetadata().getName(),
                        Optional.ofNullable(p.getMetadata().getLabels()).map(l -> l.get(Labels.ROLE)).orElse(PENDING_ROLE),
                        isReady(p)))
                .toList();
        next.setInstances(new ArrayList<>(instances));

        boolean primaryReady = instances.stream()
                .anyMatch(i -> i.getName().equals(primary) && Labels.ROLE_PRIMARY.equals(i.getRole()) && i.isReady());
        long readyReplicas = instances.stream()
                .filter(i -> Labels.ROLE_REPLICA.equals(i.getRole()) && i.isReady()).count();
        int desiredReplicas = ldb.getSpec().getReplicas();
        int desiredPooler = ldb.getSpec().getPooler().getInstances();
        int readyPooler = pooler.map(StatefulSet::getStatus).map(s -> s.getReadyReplicas()).orElse(0);
        boolean poolerReady = readyPooler >= desiredPooler;
        next.setReplicaReadiness(readyReplicas + "/" + desiredReplicas);
        next.setEndpoints(new Endpoints(
                endpoint(ldb, Names.readWriteService(ldb), Names.POSTGRES_PORT),
                endpoint(ldb, Names.readOnlyService(ldb), Names.POSTGRES_PORT),
                endpoint(ldb, Names.pooler(ldb), Names.POOLER_PORT)));

        var conditions = new ArrayList<Condition>(previous.getConditions());
        var prev = previous.getConditions();
        primaryAvailable(ldb, conditions, prev, primary, primaryReady, generation, now);
        Conditions.set(conditions, prev, Conditions.POOLER_READY, poolerReady,
                poolerReady ? "PoolerReady" : "PoolerNotReady",
                readyPooler + "/" + desiredPooler + " PgBouncer pods ready", generation, now);

        boolean ready;
        String reason;
        String message;
        if (reconcileError != null) {
            ready = false;
            reason = "ReconcileError";
            message = reconcileError;
        } else if (!primaryReady) {
            ready = false;
            reason = "PrimaryNotReady";
            message = "primary " + primary + " is not ready";
        } else if (readyReplicas < desiredReplicas) {
            ready = false;
            reason = "ReplicasNotReady";
            message = readyReplicas + " of " + desiredReplicas + " replicas ready";
        } else if (!poolerReady) {
            ready = false;
            reason = "PoolerNotReady";
            message = readyPooler + " of " + desiredPooler + " PgBouncer pods ready";
        } else {
            ready = true;
            reason = "AllInstancesReady";
            message = "primary " + primary + ", " + readyReplicas + " replicas and " + readyPooler
                    + " PgBouncer pods ready";
        }
        Conditions.set(conditions, prev, Conditions.READY, ready, reason, message, generation, now);
        next.setConditions(conditions);
        ReplicationHealth.apply(ldb, previous, next, replication, now);
        MaintenanceHealth.apply(ldb, previous, next, maintenance.cronJobs(), maintenance.jobs(), maintenance.pods(), now);

        Phase before = previous.getPhase();
        boolean replicationUnhealthy = Conditions.find(conditions, Conditions.REPLICATION_HEALTHY)
                .map(c -> "False".equals(c.getStatus())).orElse(false);
        if (ready) {
            next.setPhase(replicationUnhealthy ? Phase.Degraded : Phase.Ready);
        } else {
            next.setPhase(before == Phase.Ready || before == Phase.Degraded ? Phase.Degraded : Phase.Provisioning);
        }
        return next;
    }

    /** What maintenance status is made of: the CronJobs, their Jobs and the Jobs' pods. */
    public record Maintenance(List<CronJob> cronJobs, List<Job> jobs, List<Pod> pods) {
        public static final Maintenance NONE = new Maintenance(List.of(), List.of(), List.of());
    }

    public static boolean isReady(Pod pod) {
        return pod.getStatus() != null && pod.getStatus().getConditions() != null
                && pod.getStatus().getConditions().stream()
                        .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
    }

    public static int ordinal(Pod pod) {
        return Names.ordinal(pod.getMetadata().getName());
    }

    private static String endpoint(LearningDatabase ldb, String service, int port) {
        return Names.serviceHost(ldb, service) + ":" + port;
    }

    private static LearningDatabaseStatus copyObserved(LearningDatabaseStatus previous) {
        var next = new LearningDatabaseStatus();
        next.setPrimary(previous.getPrimary());
        next.setSystemIdentifier(previous.getSystemIdentifier());
        next.setPostgresVersion(previous.getPostgresVersion());
        next.setMajorUpgrade(previous.getMajorUpgrade());
        next.setPrimaryRestart(previous.getPrimaryRestart());
        next.setReplicaReadiness(previous.getReplicaReadiness());
        next.setInstances(previous.getInstances());
        next.setEndpoints(previous.getEndpoints());
        next.setMaxLagBytes(previous.getMaxLagBytes());
        next.setMaxLagSeconds(previous.getMaxLagSeconds());
        next.setMaxLag(previous.getMaxLag());
        next.setMaintenance(previous.getMaintenance());
        next.setLastFailover(previous.getLastFailover());
        next.setLastSwitchover(previous.getLastSwitchover());
        next.setTargetPrimary(previous.getTargetPrimary());
        next.setTargetPrimarySince(previous.getTargetPrimarySince());
        return next;
    }

    /**
     * The primary answers with a system identifier other than the one recorded: it serves another database (for
     * instance one initdb created on an emptied volume), not this cluster's data.
     */
    public static Optional<String> systemIdentifierMismatch(LearningDatabaseStatus previous, Optional<ReplicationSnapshot> replication) {
        if (previous == null || previous.getSystemIdentifier() == null) {
            return Optional.empty();
        }
        return replication.filter(r -> r.systemIdentifier() != null && !r.systemIdentifier().equals(previous.getSystemIdentifier()))
                .map(r -> "primary " + r.primary() + " serves a database with system identifier " + r.systemIdentifier()
                        + ", not this cluster's " + previous.getSystemIdentifier() + " (a data directory created anew?)");
    }

    /** PrimaryAvailable from the primary pod's readiness (its lastTransitionTime is the failover clock). */
    static void primaryAvailable(LearningDatabase ldb, List<Condition> conditions, List<Condition> previous, String primary,
            boolean primaryReady, long generation, Instant now) {
        Conditions.set(conditions, previous, Conditions.PRIMARY_AVAILABLE, primaryReady,
                primaryReady ? "PrimaryReady" : "PrimaryNotReady",
                primaryReady ? primary + " is ready and accepts writes on " + Names.readWriteService(ldb)
                        : primary + " is not ready", generation, now);
    }

    /**
     * The failed status of a cluster that still runs: its primary and PrimaryAvailable follow the pods, so the
     * failover clock keeps running while the spec cannot be used.
     */
    public static void observePrimary(LearningDatabase ldb, LearningDatabaseStatus next, String primary, List<Pod> pods,
            Instant now) {
        boolean primaryReady = pods.stream().anyMatch(p -> p.getMetadata().getName().equals(primary)
                && Labels.ROLE_PRIMARY.equals(p.getMetadata().getLabels().get(Labels.ROLE)) && isReady(p));
        var previous = ldb.getStatus() == null ? List.<Condition> of() : ldb.getStatus().getConditions();
        next.setPrimary(primary);
        primaryAvailable(ldb, next.getConditions(), previous, primary, primaryReady,
                Optional.ofNullable(ldb.getMetadata().getGeneration()).orElse(0L), now);
    }
}
