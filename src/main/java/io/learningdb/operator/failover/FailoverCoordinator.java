package io.learningdb.operator.failover;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import io.fabric8.kubernetes.api.model.Pod;
import io.learningdb.operator.model.InstanceStatus;
import io.learningdb.operator.model.LearningDatabase;
import io.learningdb.operator.model.LearningDatabaseStatus.Phase;
import io.learningdb.operator.postgres.Login;
import io.learningdb.operator.postgres.Promotion;
import io.learningdb.operator.replication.Databases;
import io.learningdb.operator.replication.InstanceAddresses;
import io.learningdb.operator.resources.Names;
import io.learningdb.operator.status.Conditions;
import io.learningdb.operator.status.StatusAggregator;

/**
 * Decides and carries out automatic failover. The clock is the PrimaryAvailable condition's lastTransitionTime,
 * kept in status, so an operator restart mid-failover neither forgets nor restarts the countdown; an instance
 * already promoted (by a run that crashed before recording it) is chosen again, so promotion is idempotent.
 */
@ApplicationScoped
public class FailoverCoordinator {

    private static final Logger LOG = Logger.getLogger(FailoverCoordinator.class);
    static final int PROMOTE_WAIT_SECONDS = 60;

    public sealed interface Outcome {
    }

    public record NotNeeded() implements Outcome {
    }

    public record Waiting(Duration remaining) implements Outcome {
    }

    /** How often a primary whose pod is being deleted is looked at until its fast shutdown has ended. */
    static final Duration LEAVING_POLL = Duration.ofMillis(200);

    /** @param recheck when to look again */
    public record Blocked(String reason, Duration recheck) implements Outcome {

        public Blocked(String reason) {
            this(reason, Duration.ofSeconds(10));
        }
    }

    /** @param lagBytes the promoted replica's lag at the last measurement (what the old primary may have had alone) */
    public record Promoted(String from, String to, long downSeconds, String reason, Long lagBytes) implements Outcome {
    }

    @Inject
    Databases databases;

    @Inject
    InstanceAddresses addresses;

    /**
     * @param members the replicas this cluster has (n): the spec's when it is valid, the running StatefulSet's
     *        otherwise (failover must not wait for a spec to be fixed)
     */
    public Outcome heal(LearningDatabase ldb, String primary, List<Pod> pods, Optional<Login> login, Instant now,
            int members, Optional<io.learningdb.operator.postgres.PrimaryHealth> health) {
        var spec = settings(ldb);
        var status = ldb.getStatus();
        if (!spec.isEnabled() || members == 0 || !hasServed(status) || login.isEmpty()) {
            return new NotNeeded(); // a cluster whose primary never served is provisioning, not failing
        }
        Optional<Pod> primaryPod = pods.stream().filter(p -> p.getMetadata().getName().equals(primary)).findFirst();
        // a primary pod being deleted (a drain, an eviction, kubectl delete) is stopping with a fast shutdown: it
        // is lost now, not after the readiness probe and failover.delaySeconds
        boolean leaving = primaryPod.map(p -> p.getMetadata().getDeletionTimestamp() != null).orElse(false);
        // the operator cannot reach it and no replica streams from it (PrimaryWatch): lost, whatever its readiness
        // probe has not yet noticed; failover.delaySeconds guards the probe's signal, which this one does not need
        Optional<String> confirmedDown = health.filter(h -> h.primary().equals(primary) && h.confirmedDown())
                .map(io.learningdb.operator.postgres.PrimaryHealth::detail);
        if (!leaving && confirmedDown.isEmpty() && primaryPod.map(StatusAggregator::isReady).orElse(false)) {
            return new NotNeeded();
        }
        Instant since = Conditions.find(status.getConditions(), Conditions.PRIMARY_AVAILABLE)
                .filter(c -> "False".equals(c.getStatus()) && c.getLastTransitionTime() != null)
                .map(c -> Instant.parse(c.getLastTransitionTime()))
                .orElse(now);
        Duration down = Duration.between(since, now);
        Duration delay = Duration.ofSeconds(spec.getDelaySeconds());
        if (down.compareTo(delay) < 0 && !leaving && confirmedDown.isEmpty()) {
            return new Waiting(delay.minus(down));
        }
        String why = primaryPod.isEmpty() ? "pod " + primary + " is gone"
                : leaving ? "pod " + primary + " is being deleted"
                : confirmedDown.isPresent() ? confirmedDown.get()
                : "pod " + primary + " not ready for " + down.toSeconds() + "s";
        if (stillServesAsPrimary(ldb, primary, login.get())) {
            if (leaving) {
                return new Waiting(LEAVING_POLL); // its fast shutdown ends the sessions within moments
            }
            if (confirmedDown.isPresent()) {
                return new Waiting(Duration.ofSeconds(1)); // it answers again: the watch will say so
            }
            // a readiness probe can fail while PostgreSQL is fine: promoting now would make two primaries
            return new Blocked(why + ", but its database still accepts connections as primary: not failing over");
        }

        var replicas = replicas(ldb, primary, pods, login.get(), members);
        var decision = FailoverDecision.choose(replicas,
                new FailoverDecision.Settings(members, Math.min(ldb.getSpec().getReplication().getSynchronousReplicas(), members),
                        maxLagBytes(spec), spec.getMaxLagBytes(), spec.isPromoteLaggingReplica()));
        if (decision instanceof FailoverDecision.Blocked b) {
            // a replica still streams: the old primary is alive. Stopping (its pod is being deleted), its walsenders
            // end within moments of its last WAL; otherwise the watch looks every second anyway
            return new Blocked(why + ", and " + b.reason(),
                    b.primaryAlive() ? (leaving ? LEAVING_POLL : Duration.ofSeconds(1)) : Duration.ofSeconds(10));
        }
        String chosen = ((FailoverDecision.Promote) decision).pod();
        var endpoint = addresses.of(ldb, chosen);
        try (Connection c = databases.pools().connect(endpoint, login.get(), "postgres")) {
            Promotion.promote(c, PROMOTE_WAIT_SECONDS);
            Promotion.ensureSlots(c, Names.otherInstances(ldb, chosen).stream().map(Names::slotName).toList());
        } catch (SQLException e) {
            databases.pools().invalidate(endpoint, login.get());
            return new Blocked(why + "; promoting " + chosen + " failed: " + e.getMessage());
        }
        LOG.infof("%s/%s: promoted %s (%s; %s)", ldb.getMetadata().getNamespace(), ldb.getMetadata().getName(),
                chosen, why, ((FailoverDecision.Promote) decision).basis());
        Long lag = replicas.stream().filter(r -> r.pod().equals(chosen)).map(FailoverDecision.Replica::lastLagBytes)
                .findFirst().orElse(null);
        return new Promoted(primary, chosen, Duration.between(since, Instant.now()).toSeconds(), why, lag);
    }

    /**
     * Whether this cluster's primary has served: its system identifier was recorded (the replication probe reads it
     * once the primary answers), or, for a cluster recorded before that field existed, it was Ready or Degraded. A
     * later phase (Failed for an invalid spec, Provisioning after it) does not take that back.
     */
    static boolean hasServed(io.learningdb.operator.model.LearningDatabaseStatus status) {
        return status != null && (status.getSystemIdentifier() != null
                || status.getPhase() == Phase.Ready || status.getPhase() == Phase.Degraded);
    }

    /** The failover settings; their defaults when the spec's cannot be read (an invalid spec must not stop failover). */
    private static io.learningdb.operator.model.FailoverSpec settings(LearningDatabase ldb) {
        var spec = ldb.getSpec().getFailover();
        if (spec == null) {
            return new io.learningdb.operator.model.FailoverSpec();
        }
        try {
            maxLagBytes(spec);
            return spec;
        } catch (RuntimeException e) {
            var defaults = new io.learningdb.operator.model.FailoverSpec();
            defaults.setEnabled(spec.isEnabled());
            return defaults;
        }
    }

    private static long maxLagBytes(io.learningdb.operator.model.FailoverSpec spec) {
        return io.fabric8.kubernetes.api.model.Quantity.getAmountInBytes(
                new io.fabric8.kubernetes.api.model.Quantity(spec.getMaxLagBytes())).longValue();
    }

    private boolean stillServesAsPrimary(LearningDatabase ldb, String primary, Login login) {
        var endpoint = addresses.of(ldb, primary);
        try (Connection c = databases.pools().connect(endpoint, login, "postgres")) {
            return !Promotion.position(c).inRecovery();
        } catch (SQLException e) {
            databases.pools().invalidate(endpoint, login);
            return false;
        }
    }

    /**
     * Every member replica with its WAL position (null when it does not answer) and its lag at the last measurement
     * (null when none was made or the replica was disconnected then). Readiness does not matter: a replica's data is
     * what it reports, and in synchronous mode every replica that answers counts towards the quorum.
     */
    private List<FailoverDecision.Replica> replicas(LearningDatabase ldb, String primary, List<Pod> pods, Login login,
            int members) {
        var result = new ArrayList<FailoverDecision.Replica>();
        for (Pod pod : pods) {
            String name = pod.getMetadata().getName();
            if (name.equals(primary) || Names.ordinal(name) > members) {
                continue;
            }
            Long lag = Optional.ofNullable(ldb.getStatus().getInstances()).orElse(List.of()).stream()
                    .filter(i -> name.equals(i.getName()))
                    .filter(i -> i.getState() != null && !io.learningdb.operator.postgres.ReplicaLag.DISCONNECTED.equals(i.getState()))
                    .map(InstanceStatus::getLagBytes).findFirst().orElse(null);
            var endpoint = addresses.of(ldb, name);
            Promotion.Position position = null;
            boolean streaming = false;
            try (Connection c = databases.pools().connect(endpoint, login, "postgres")) {
                position = Promotion.position(c);
                try (var st = c.createStatement(); var rs = st.executeQuery(
                        io.learningdb.operator.replication.PrimaryWatch.RECEIVER_SQL)) {
                    rs.next();
                    streaming = rs.getInt(1) > 0;
                }
            } catch (SQLException e) {
                databases.pools().invalidate(endpoint, login);
                LOG.debugf("failover candidate %s unreachable: %s", name, e.getMessage());
            }
            result.add(new FailoverDecision.Replica(name, position, lag, streaming));
        }
        return result;
    }
}
