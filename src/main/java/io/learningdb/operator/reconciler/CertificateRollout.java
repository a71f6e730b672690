package io.learningdb.operator.reconciler;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Pod;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.learningdb.operator.dependent.ServerTlsSecretDependent;
import io.learningdb.operator.dependent.TlsFingerprint;
import io.learningdb.operator.model.LearningDatabase;
import io.learningdb.operator.model.LearningDatabaseStatus;
import io.learningdb.operator.postgres.InstanceSettings;
import io.learningdb.operator.postgres.ReplicationSnapshot;
import io.learningdb.operator.resources.TlsRotation;
import io.learningdb.operator.status.Conditions;
import io.learningdb.operator.status.EventRecorder;
import io.learningdb.operator.status.Rollout;
import io.learningdb.operator.status.StatusAggregator;

/**
 * The reconciler's two touch points with {@link TlsRotation}: before the owned objects are applied, whether every pod
 * runs the current TLS Secret (instances say so through learningdb.tls_fingerprint, pooler pods through SHOW CONFIG,
 * see {@link PoolerReloads}); after, the decision's event and the {@code Progressing} condition while a CA rotation
 * is under way.
 */
final class CertificateRollout {

    static final String CERTIFICATE_ROTATION = "CertificateRotation";

    private CertificateRollout() {
    }

    /** Puts {@link ServerTlsSecretDependent#LOADED} into the workflow context. */
    static void observe(LearningDatabase ldb, Context<LearningDatabase> context, PoolerReloads poolers) {
        String expected = TlsFingerprint.of(ldb, context);
        boolean loaded = expected != null
                && instancesLoaded(LearningDatabaseReconciler.instancePods(context),
                        context.getSecondaryResource(ReplicationSnapshot.class), expected)
                && poolers.allLoaded(ldb, context);
        context.managedWorkflowAndDependentResourceContext().put(ServerTlsSecretDependent.LOADED, loaded);
    }

    /**
     * Every ready instance pod reported the expected fingerprint (one the operator cannot read has not), and there is
     * one at least: with none ready nothing can say what it loaded, and a rotation must not go on through its steps.
     */
    static boolean instancesLoaded(List<Pod> pods, Optional<ReplicationSnapshot> snapshot, String expected) {
        var settings = snapshot.map(ReplicationSnapshot::settings).orElse(java.util.Map.of());
        var ready = pods.stream().filter(StatusAggregator::isReady).toList();
        return !ready.isEmpty() && ready.stream().allMatch(p -> Optional
                .ofNullable(settings.get(p.getMetadata().getName())).map(InstanceSettings::tlsFingerprint)
                .filter(expected::equals).isPresent());
    }

    /** The rotation's event (once per step) and condition; when to look again although nothing else changes. */
    static Optional<Duration> publish(LearningDatabase ldb, Context<LearningDatabase> context, LearningDatabaseStatus next,
            EventRecorder events, Instant now) {
        var decision = context.managedWorkflowAndDependentResourceContext()
                .get(ServerTlsSecretDependent.DECISION, TlsRotation.Decision.class);
        if (decision.isEmpty()) {
            return Optional.empty();
        }
        var d = decision.get();
        d.step().filter(step -> !TlsRotation.ISSUED.equals(step) || d.phase() != TlsRotation.Phase.STEADY
                        || ldb.getStatus() != null && ldb.getStatus().getPhase() != null)
                .ifPresent(step -> events.record(ldb, EventRecorder.NORMAL, step, d.message()));
        if (d.phase() != TlsRotation.Phase.STEADY) {
            List<Condition> previous = ldb.getStatus() == null ? List.of() : ldb.getStatus().getConditions();
            boolean rolloutIdle = Conditions.find(next.getConditions(), Conditions.PROGRESSING)
                    .map(c -> Rollout.UP_TO_DATE.equals(c.getReason())).orElse(true);
            if (rolloutIdle) {
                Conditions.set(next.getConditions(), previous, Conditions.PROGRESSING, true, CERTIFICATE_ROTATION,
                        d.message(), next.getObservedGeneration(), now);
            }
        }
        return d.recheck();
    }
}
