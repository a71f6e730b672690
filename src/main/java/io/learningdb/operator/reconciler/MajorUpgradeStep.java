package io.learningdb.operator.reconciler;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.learningdb.operator.config.OperatorConfig;
import io.learningdb.operator.dependent.Ownership;
import io.learningdb.operator.model.LearningDatabase;
import io.learningdb.operator.model.LearningDatabaseStatus;
import io.learningdb.operator.resources.Images;
import io.learningdb.operator.resources.InstanceStatefulSet;
import io.learningdb.operator.resources.Labels;
import io.learningdb.operator.resources.Names;
import io.learningdb.operator.resources.UpgradeJob;
import io.learningdb.operator.status.BackupHealth;
import io.learningdb.operator.status.Conditions;
import io.learningdb.operator.status.EventRecorder;

/** The reconcile step that carries out {@link MajorUpgrades}' decision. */
final class MajorUpgradeStep {

    private MajorUpgradeStep() {
    }

    /**
     * The major upgrade step (see {@link MajorUpgrades}): its decision goes into {@code next} (published before the
     * next step acts on it), the Job is created when every instance has stopped, and the state shows as Progressing
     * (under way) or SpecApplied=False (held, failed). When to look again.
     */
    static Optional<Duration> act(LearningDatabase ldb, Context<LearningDatabase> context, LearningDatabaseStatus next,
            OperatorConfig config, EventRecorder events, Instant now) {
        var previous = MajorUpgrades.record(ldb).orElse(null);
        String runningImage = context.getSecondaryResourcesAsStream(StatefulSet.class)
                .filter(s -> Names.instances(ldb).equals(s.getMetadata().getName())).findFirst()
                .flatMap(s -> InstanceStatefulSet.postgresImage(s.getSpec().getTemplate().getSpec().getContainers()))
                .orElse(null);
        int to = ldb.getSpec().getPostgres().getVersion();
        String jobName = Names.upgradeJob(ldb, previous != null && previous.getTo() != null ? previous.getTo() : to);
        var job = context.getSecondaryResourcesAsStream(Job.class)
                .filter(j -> jobName.equals(j.getMetadata().getName())).findFirst();
        var jobPods = context.getSecondaryResourcesAsStream(Pod.class)
                .filter(p -> Labels.COMPONENT_UPGRADE.equals(p.getMetadata().getLabels().get(Labels.COMPONENT)))
                .filter(p -> p.getMetadata().getOwnerReferences() == null || p.getMetadata().getOwnerReferences().isEmpty()
                        || p.getMetadata().getOwnerReferences().stream().anyMatch(o -> jobName.equals(o.getName())))
                .toList();
        var observed = new MajorUpgrades.Observed(LearningDatabaseReconciler.instancePods(context), job, jobPods, runningImage,
                Images.postgres(ldb, config),
                BackupHealth.lastBackupCompleted(ldb.getStatus() == null ? null : ldb.getStatus().getBackup()), now);
        var decision = MajorUpgrades.decide(ldb, observed);
        var upgrade = decision.next();
        if (decision.action() == MajorUpgrades.Action.CREATE_JOB) {
            Job created = UpgradeJob.build(ldb, upgrade.getFrom(), upgrade.getTo(), upgrade.getFromImage(),
                    upgrade.getToImage(), Names.dataClaim(upgrade.getPrimary()));
            Ownership.setController(created, ldb);
            try {
                context.getClient().batch().v1().jobs().inNamespace(ldb.getMetadata().getNamespace()).resource(created)
                        .create();
            } catch (KubernetesClientException e) {
                if (e.getCode() != 409) {
                    throw e;
                }
            }
        }
        next.setMajorUpgrade(upgrade);
        String was = previous == null ? null : previous.getPhase();
        String phase = upgrade == null ? null : upgrade.getPhase();
        boolean changed = !java.util.Objects.equals(was, phase);
        if (changed && MajorUpgrades.STARTING.equals(phase)) {
            // the data is on the new major from now on, under a new system identifier (pg_upgrade made a new cluster)
            next.setPostgresVersion(upgrade.getTo());
            next.setSystemIdentifier(MajorUpgrades.systemIdentifier(jobPods).orElse(null));
        } else if (next.getPostgresVersion() == null) {
            next.setPostgresVersion(MajorUpgrades.servedMajor(ldb));
        }
        if (changed && decision.event() != null) {
            String reason = switch (phase) {
                case MajorUpgrades.STOPPING -> "MajorUpgradeStarted";
                case MajorUpgrades.UPGRADING -> "MajorUpgradeRunning";
                case MajorUpgrades.STARTING -> "MajorUpgradeDataUpgraded";
                default -> "MajorUpgradeCompleted";
            };
            events.record(ldb, EventRecorder.NORMAL, reason, decision.event());
        }
        if (changed && MajorUpgrades.FAILED.equals(phase)) {
            events.record(ldb, EventRecorder.WARNING, MajorUpgrades.REASON_FAILED, "the upgrade to PostgreSQL "
                    + upgrade.getTo() + " failed: " + upgrade.getMessage() + "; the instances start again on "
                    + upgrade.getFromImage());
        }
        List<Condition> previousConditions = ldb.getStatus() == null ? List.of() : ldb.getStatus().getConditions();
        next.getConditions().removeIf(c -> Conditions.SPEC_APPLIED.equals(c.getType())
                && (MajorUpgrades.REASON_HELD.equals(c.getReason()) || MajorUpgrades.REASON_FAILED.equals(c.getReason())));
        boolean underWay = MajorUpgrades.underWay(upgrade);
        if (underWay) {
            Conditions.set(next.getConditions(), previousConditions, Conditions.PROGRESSING, true,
                    MajorUpgrades.REASON_UPGRADING, "major upgrade " + upgrade.getFrom() + " to " + upgrade.getTo() + ": "
                            + upgrade.getPhase() + (upgrade.getMessage() != null ? " (" + upgrade.getMessage() + ")" : ""),
                    next.getObservedGeneration(), now);
        }
        if (decision.held() != null) {
            boolean failed = upgrade != null && MajorUpgrades.FAILED.equals(upgrade.getPhase());
            Conditions.set(next.getConditions(), previousConditions, Conditions.SPEC_APPLIED, false,
                    failed ? MajorUpgrades.REASON_FAILED : MajorUpgrades.REASON_HELD, decision.held(),
                    next.getObservedGeneration(), now);
        }
        if (changed) {
            return Optional.of(Duration.ofSeconds(1)); // a status write alone brings no reconcile
        }
        if (underWay || decision.held() != null) {
            return Optional.of(decision.held() != null ? LearningDatabaseReconciler.RECHECK : Duration.ofSeconds(10));
        }
        return Optional.empty();
    }
}
