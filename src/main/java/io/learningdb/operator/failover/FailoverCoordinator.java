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

    public record Blocked(String reason) implements Outcome {
    }

    public record Promoted(String from, String to, long downSeconds, String reason) implements Outcome {
    }

    record Candidate(String pod, Promotion.Position position, Long lastKnownLagBytes) {
    }

    @Inject
    Databases databases;

    @Inject
    InstanceAddresses addresses;

    public Outcome heal(LearningDatabase ldb, String primary, List<Pod> pods, Optional<Login> login, Instant now) {
        var spec = ldb.getSpec().getFailover();
        var status = ldb.getStatus();
        if (!spec.isEnabled() || ldb.getSpec().getReplicas() == 0 || status == null || status.getPhase() == null
                || status.getPhase() == Phase.Provisioning || status.getPhase() == Phase.Failed || login.isEmpty()) {
            return new NotNeeded(); // a cluster that never had a working primary is provisioning, not failing
        }
        Optional<Pod> primaryPod = pods.stream().filter(p -> p.getMetadata().getName().equals(primary)).findFirst();
        if (primaryPod.map(StatusAggregator::isReady).orElse(false)) {
            return new NotNeeded();
        }
        Instant since = Conditions.find(status.getConditions(), Conditions.PRIMARY_AVAILABLE)
                .filter(c -> "False".equals(c.getStatus()) && c.getLastTransitionTime() != null)
                .map(c -> Instant.parse(c.getLastTransitionTime()))
                .orElse(now);
        Duration down = Duration.between(since, now);
        Duration delay = Duration.ofSeconds(spec.getDelaySeconds());
        if (down.compareTo(delay) < 0) {
            return new Waiting(delay.minus(down));
        }
        String why = primaryPod.isEmpty() ? "pod " + primary + " is gone"
                : "pod " + primary + " not ready for " + down.toSeconds() + "s";
        if (stillServesAsPrimary(ldb, primary, login.get())) {
            // a readiness probe can fail while PostgreSQL is fine: promoting now would make two primaries
            return new Blocked(why + ", but its database still accepts connections as primary: not failing over");
        }

        var candidates = candidates(ldb, primary, pods, login.get());
        if (candidates.isEmpty()) {
            return new Blocked(why + ", and no replica is ready and reachable to take over");
        }
        Candidate chosen = candidates.stream().filter(c -> !c.position().inRecovery()).findFirst().orElse(null);
        if (chosen == null) {
            long limit = io.fabric8.kubernetes.api.model.Quantity.getAmountInBytes(
                    new io.fabric8.kubernetes.api.model.Quantity(spec.getMaxLagBytes())).longValue();
            var eligible = candidates.stream()
                    .filter(c -> c.lastKnownLagBytes() == null || c.lastKnownLagBytes() <= limit).toList();
            if (eligible.isEmpty()) {
                if (!spec.isPromoteLaggingReplica()) {
                    return new Blocked(why + ", but every ready replica lagged more than failover.maxLagBytes ("
                            + spec.getMaxLagBytes() + ") at its last measurement; set failover.promoteLaggingReplica "
                            + "to promote the most advanced one anyway");
                }
                eligible = candidates;
            }
            chosen = eligible.stream()
                    .max(Comparator.comparingLong((Candidate c) -> c.position().advance())
                            .thenComparing(c -> -Names.ordinal(c.pod())))
                    .orElseThrow();
        }
        try (Connection c = databases.pools().connect(addresses.of(ldb, chosen.pod()), login.get(), "postgres")) {
            Promotion.promote(c, PROMOTE_WAIT_SECONDS);
            Promotion.ensureSlots(c, Names.otherInstances(ldb, chosen.pod()).stream().map(Names::slotName).toList());
        } catch (SQLException e) {
            databases.pools().invalidate(addresses.of(ldb, chosen.pod()), login.get());
            return new Blocked(why + "; promoting " + chosen.pod() + " failed: " + e.getMessage());
        }
        LOG.infof("%s/%s: promoted %s (%s)", ldb.getMetadata().getNamespace(), ldb.getMetadata().getName(),
                chosen.pod(), why);
        return new Promoted(primary, chosen.pod(), Duration.between(since, Instant.now()).toSeconds(), why);
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

    /** Ready replicas that answer, with their WAL position and last measured lag. */
    private List<Candidate> candidates(LearningDatabase ldb, String primary, List<Pod> pods, Login login) {
        var result = new ArrayList<Candidate>();
        for (Pod pod : pods) {
            String name = pod.getMetadata().getName();
            if (name.equals(primary) || !StatusAggregator.isReady(pod)
                    || Names.ordinal(name) > ldb.getSpec().getReplicas()) {
                continue;
            }
            var endpoint = addresses.of(ldb, name);
            try (Connection c = databases.pools().connect(endpoint, login, "postgres")) {
                Long lag = Optional.ofNullable(ldb.getStatus().getInstances()).orElse(List.of()).stream()
                        .filter(i -> name.equals(i.getName())).map(InstanceStatus::getLagBytes).findFirst().orElse(null);
                result.add(new Candidate(name, Promotion.position(c), lag));
            } catch (SQLException e) {
                databases.pools().invalidate(endpoint, login);
                LOG.debugf("failover candidate %s unreachable: %s", name, e.getMessage());
            }
        }
        return result;
    }
}
