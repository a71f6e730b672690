package io.learningdb.operator.failover;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import io.fabric8.kubernetes.api.model.Pod;
import io.learningdb.operator.model.LearningDatabase;
import io.learningdb.operator.postgres.Endpoint;
import io.learningdb.operator.postgres.Login;
import io.learningdb.operator.postgres.Promotion;
import io.learningdb.operator.replication.Databases;
import io.learningdb.operator.replication.InstanceAddresses;
import io.learningdb.operator.resources.Names;
import io.learningdb.operator.status.StatusAggregator;

/**
 * A planned change of primary, requested with the annotation {@code learningdb.io/switchover-to: <pod>}. The old
 * primary is fenced (read-only, client sessions ended), the target replays everything it wrote, and only then is
 * the target promoted: no committed transaction is lost. If the target does not catch up in time the old primary
 * is unfenced and stays primary.
 */
@ApplicationScoped
public class SwitchoverCoordinator {

    public static final String ANNOTATION = "learningdb.io/switchover-to";
    private static final Logger LOG = Logger.getLogger(SwitchoverCoordinator.class);
    static final Duration CATCH_UP = Duration.ofSeconds(30);

    public sealed interface Outcome {
    }

    public record Switched(String from, String to, long millis) implements Outcome {
    }

    public record Rejected(String reason) implements Outcome {
    }

    @Inject
    Databases databases;

    @Inject
    InstanceAddresses addresses;

    public static Optional<String> requested(LearningDatabase ldb) {
        return Optional.ofNullable(ldb.getMetadata().getAnnotations()).map(a -> a.get(ANNOTATION));
    }

    public Outcome switchover(LearningDatabase ldb, String primary, String target, List<Pod> pods, Login login) {
        long started = System.nanoTime();
        int ordinal;
        try {
            ordinal = Integer.parseInt(target.substring(ldb.getMetadata().getName().length() + 1));
        } catch (RuntimeException e) {
            ordinal = Integer.MAX_VALUE;
        }
        if (!target.startsWith(ldb.getMetadata().getName() + "-") || ordinal > ldb.getSpec().getReplicas()) {
            return new Rejected(target + " is not an instance of this cluster");
        }
        Pod targetPod = pod(pods, target);
        Pod primaryPod = pod(pods, primary);
        if (targetPod == null || !StatusAggregator.isReady(targetPod)) {
            return new Rejected(target + " is not ready");
        }
        if (primaryPod == null || !StatusAggregator.isReady(primaryPod)) {
            return new Rejected("the current primary " + primary + " is not ready (failover handles a lost primary)");
        }
        Endpoint oldEndpoint = addresses.of(ldb, primary);
        Endpoint newEndpoint = addresses.of(ldb, target);
        try (Connection old = databases.pools().connect(oldEndpoint, login, "postgres");
                Connection next = databases.pools().connect(newEndpoint, login, "postgres")) {
            if (!Promotion.position(next).inRecovery()) {
                return new Rejected(target + " is not a replica");
            }
            long fencedAt = Promotion.fence(old);
            long deadline = System.nanoTime() + CATCH_UP.toNanos();
            while (Promotion.position(next).replayLsn() < fencedAt) {
                if (System.nanoTime() > deadline) {
                    Promotion.unfence(old);
                    return new Rejected(target + " did not replay the primary's last WAL within " + CATCH_UP.toSeconds()
                            + "s; " + primary + " stays primary");
                }
                Thread.sleep(50);
            }
            Promotion.promote(next, FailoverCoordinator.PROMOTE_WAIT_SECONDS);
            var slots = new ArrayList<String>();
            for (int i = 0; i <= ldb.getSpec().getReplicas(); i++) {
                String pod = Names.instancePod(ldb, i);
                if (!pod.equals(target)) {
                    slots.add(Names.slotName(pod));
                }
            }
            Promotion.ensureSlots(next, slots);
        } catch (SQLException e) {
            databases.pools().invalidate(oldEndpoint, login);
            databases.pools().invalidate(newEndpoint, login);
            return new Rejected("switchover to " + target + " failed: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Rejected("interrupted");
        }
        long millis = (System.nanoTime() - started) / 1_000_000;
        LOG.infof("%s/%s: switched over from %s to %s in %d ms", ldb.getMetadata().getNamespace(),
                ldb.getMetadata().getName(), primary, target, millis);
        return new Switched(primary, target, millis);
    }

    private static Pod pod(List<Pod> pods, String name) {
        return pods.stream().filter(p -> p.getMetadata().getName().equals(name)).findFirst().orElse(null);
    }
}
