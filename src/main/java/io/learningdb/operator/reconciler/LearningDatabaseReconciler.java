package io.learningdb.operator.reconciler;

import static io.learningdb.operator.dependent.Dependents.*;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

import jakarta.inject.Inject;

import io.micrometer.core.instrument.MeterRegistry;

import org.jboss.logging.Logger;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.cache.ReducedStateItemStore;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.Workflow;
import io.javaoperatorsdk.operator.api.reconciler.dependent.Dependent;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.learningdb.operator.dependent.AppSecretDependent;
import io.learningdb.operator.dependent.CaSecretDependent;
import io.learningdb.operator.dependent.DisruptionBudgetDependent;
import io.learningdb.operator.dependent.SecretConflict;
import io.learningdb.operator.dependent.ServerTlsSecretDependent;
import io.learningdb.operator.dependent.StatefulSetDependent;
import io.learningdb.operator.dependent.TlsFingerprint;
import io.learningdb.operator.dependent.NetworkPolicyDependent;
import io.learningdb.operator.dependent.HeadlessServiceDependent;
import io.learningdb.operator.dependent.InstanceStatefulSetDependent;
import io.learningdb.operator.dependent.MaintenanceConfigDependent;
import io.learningdb.operator.dependent.MaintenanceCronJobDependent;
import io.learningdb.operator.dependent.MaintenanceSecretDependent;
import io.learningdb.operator.dependent.PoolerAuthSecretDependent;
import io.learningdb.operator.dependent.PoolerConfigDependent;
import io.learningdb.operator.dependent.PoolerHeadlessServiceDependent;
import io.learningdb.operator.dependent.PoolerServiceDependent;
import io.learningdb.operator.dependent.PoolerStatefulSetDependent;
import io.learningdb.operator.dependent.PostgresConfigDependent;
import io.learningdb.operator.dependent.ReadOnlyServiceDependent;
import io.learningdb.operator.dependent.ReadWriteServiceDependent;
import io.learningdb.operator.dependent.BackupConfigDependent;
import io.learningdb.operator.dependent.BackupCronJobDependent;
import io.learningdb.operator.dependent.BackupTlsSecretDependent;
import io.learningdb.operator.dependent.ReplicationSecretDependent;
import io.learningdb.operator.dependent.ScriptsDependent;
import io.learningdb.operator.dependent.SuperuserSecretDependent;
import io.learningdb.operator.model.LearningDatabase;
import io.learningdb.operator.model.LearningDatabaseStatus;
import io.learningdb.operator.resources.Labels;
import io.learningdb.operator.resources.Names;
import io.learningdb.operator.status.Conditions;
import io.learningdb.operator.status.EventRecorder;
import io.learningdb.operator.status.MaintenanceHealth;
import io.learningdb.operator.status.BackupHealth;
import io.learningdb.operator.resources.Images;
import io.learningdb.operator.failover.FailoverCoordinator;
import io.learningdb.operator.failover.NodeDrain;
import io.learningdb.operator.failover.StuckTerminating;
import io.learningdb.operator.failover.SwitchoverCoordinator;
import io.learningdb.operator.model.FailoverStatus;
import io.learningdb.operator.status.ReplicationHealth;
import io.learningdb.operator.resources.MaintenanceCronJob;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.learningdb.operator.status.Rollout;
import io.learningdb.operator.status.StatusAggregator;
import io.learningdb.operator.postgres.Login;
import io.learningdb.operator.postgres.PrimaryHealth;
import io.learningdb.operator.postgres.ReplicationSnapshot;
import io.learningdb.operator.replication.PrimaryWatch;
import io.learningdb.operator.replication.PrimaryWatchEventSource;
import io.learningdb.operator.replication.ReplicationEventSource;
import io.learningdb.operator.replication.ReplicationMonitor;
import io.learningdb.operator.resources.Credentials;
import io.fabric8.kubernetes.api.model.Secret;

/**
 * Reconciles a LearningDatabase, top to bottom: validate the spec, check what it references, apply the owned
 * objects (the workflow below), assign roles to instance pods, then publish status. Writes happen only when
 * something differs, so a steady cluster costs no API writes.
 */
@ControllerConfiguration(name = LearningDatabaseReconciler.NAME)
@Workflow(explicitInvocation = true, handleExceptionsInReconciler = true, dependents = {
        @Dependent(name = SUPERUSER_SECRET, type = SuperuserSecretDependent.class),
        @Dependent(name = REPLICATION_SECRET, type = ReplicationSecretDependent.class, useEventSourceWithName = SUPERUSER_SECRET),
        @Dependent(name = APP_SECRET, type = AppSecretDependent.class, useEventSourceWithName = SUPERUSER_SECRET),
        @Dependent(name = POOLER_AUTH_SECRET, type = PoolerAuthSecretDependent.class, useEventSourceWithName = SUPERUSER_SECRET),
        // always present, even while TLS is off or a user Secret is served: turning TLS back on keeps the same CA.
        // (No reconcile precondition: JOSDK would delete the StatefulSets that depend on them when it is not met.)
        @Dependent(name = CA_SECRET, type = CaSecretDependent.class, useEventSourceWithName = SUPERUSER_SECRET),
        @Dependent(name = SERVER_TLS_SECRET, type = ServerTlsSecretDependent.class, useEventSourceWithName = SUPERUSER_SECRET,
                dependsOn = CA_SECRET),
        @Dependent(name = POSTGRES_CONFIG, type = PostgresConfigDependent.class),
        @Dependent(name = SCRIPTS, type = ScriptsDependent.class, useEventSourceWithName = POSTGRES_CONFIG),
        @Dependent(name = POOLER_CONFIG, type = PoolerConfigDependent.class, useEventSourceWithName = POSTGRES_CONFIG),
        @Dependent(name = HEADLESS_SERVICE, type = HeadlessServiceDependent.class),
        @Dependent(name = RW_SERVICE, type = ReadWriteServiceDependent.class, useEventSourceWithName = HEADLESS_SERVICE),
        @Dependent(name = RO_SERVICE, type = ReadOnlyServiceDependent.class, useEventSourceWithName = HEADLESS_SERVICE),
        @Dependent(name = POOLER_SERVICE, type = PoolerServiceDependent.class, useEventSourceWithName = HEADLESS_SERVICE),
        @Dependent(name = POOLER_HEADLESS_SERVICE, type = PoolerHeadlessServiceDependent.class,
                useEventSourceWithName = HEADLESS_SERVICE),
        @Dependent(name = INSTANCES, type = InstanceStatefulSetDependent.class, dependsOn = {
                SUPERUSER_SECRET, REPLICATION_SECRET, APP_SECRET, POOLER_AUTH_SECRET, MAINTENANCE_SECRET, MONITOR_SECRET, POSTGRES_CONFIG,
                SCRIPTS, HEADLESS_SERVICE, SERVER_TLS_SECRET }),
        @Dependent(name = POOLER, type = PoolerStatefulSetDependent.class, useEventSourceWithName = INSTANCES,
                dependsOn = { POOLER_AUTH_SECRET, POOLER_CONFIG, SERVER_TLS_SECRET, POOLER_HEADLESS_SERVICE }),
        @Dependent(name = DISRUPTION_BUDGET, type = DisruptionBudgetDependent.class),
        @Dependent(name = PRIMARY_DISRUPTION_BUDGET, type = DisruptionBudgetDependent.Primary.class,
                useEventSourceWithName = DISRUPTION_BUDGET, reconcilePrecondition = DisruptionBudgetDependent.HasReplicas.class),
        @Dependent(name = INSTANCES_NETWORK_POLICY, type = NetworkPolicyDependent.Instances.class,
                reconcilePrecondition = NetworkPolicyDependent.Enabled.class),
        @Dependent(name = POOLER_NETWORK_POLICY, type = NetworkPolicyDependent.Pooler.class,
                useEventSourceWithName = INSTANCES_NETWORK_POLICY, reconcilePrecondition = NetworkPolicyDependent.Enabled.class),
        @Dependent(name = MAINTENANCE_SECRET, type = MaintenanceSecretDependent.class, useEventSourceWithName = SUPERUSER_SECRET),
        @Dependent(name = MONITOR_SECRET, type = io.learningdb.operator.dependent.MonitorSecretDependent.class,
                useEventSourceWithName = SUPERUSER_SECRET),
        @Dependent(name = MAINTENANCE_CONFIG, type = MaintenanceConfigDependent.class, useEventSourceWithName = POSTGRES_CONFIG,
                reconcilePrecondition = MaintenanceConfigDependent.Enabled.class),
        @Dependent(name = PARTITION_ROLLOVER, type = MaintenanceCronJobDependent.PartitionRollover.class,
                reconcilePrecondition = MaintenanceCronJobDependent.Enabled.class,
                dependsOn = { MAINTENANCE_SECRET, MAINTENANCE_CONFIG }),
        @Dependent(name = REFRESH_VIEWS, type = MaintenanceCronJobDependent.RefreshViews.class,
                useEventSourceWithName = PARTITION_ROLLOVER, reconcilePrecondition = MaintenanceCronJobDependent.Enabled.class,
                dependsOn = { MAINTENANCE_SECRET, MAINTENANCE_CONFIG }),
        @Dependent(name = VACUUM, type = MaintenanceCronJobDependent.Vacuum.class,
                useEventSourceWithName = PARTITION_ROLLOVER, reconcilePrecondition = MaintenanceCronJobDependent.Enabled.class,
                dependsOn = { MAINTENANCE_SECRET, MAINTENANCE_CONFIG }),
        @Dependent(name = REPORT, type = MaintenanceCronJobDependent.Report.class,
                useEventSourceWithName = PARTITION_ROLLOVER, reconcilePrecondition = MaintenanceCronJobDependent.Enabled.class,
                dependsOn = { MAINTENANCE_SECRET, MAINTENANCE_CONFIG }),
        // not in the instances' dependsOn: a dependent whose precondition stops holding would take them down with it
        @Dependent(name = BACKUP_CONFIG, type = BackupConfigDependent.class, useEventSourceWithName = POSTGRES_CONFIG,
                reconcilePrecondition = BackupConfigDependent.Needed.class),
        // always present, like the CA: turning backups off and on keeps the same certificates, and the operator needs no
        // right to delete Secrets
        @Dependent(name = BACKUP_TLS_SECRET, type = BackupTlsSecretDependent.class, useEventSourceWithName = SUPERUSER_SECRET),
        @Dependent(name = BACKUP_CRON_JOB, type = BackupCronJobDependent.class, useEventSourceWithName = PARTITION_ROLLOVER,
                reconcilePrecondition = BackupCronJobDependent.Enabled.class, dependsOn = { BACKUP_CONFIG, BACKUP_TLS_SECRET }),
})
public class LearningDatabaseReconciler implements Reconciler<LearningDatabase> {

    public static final String NAME = "learningdatabase";
    static final String PODS = "pods";
    static final String JOBS = "jobs";
    static final String CLAIMS = "claims";
    static final String NODES = "nodes";
    /** How soon a cluster waiting on something outside the operator's events (a missing ConfigMap) is looked at again. */
    static final Duration RECHECK = Duration.ofSeconds(30);
    /** After a failure applying the owned objects that may pass by itself. */
    static final Duration APPLY_RETRY = Duration.ofSeconds(5);
    /** While a fenced primary's last WAL is being replayed by the switchover target. */
    static final Duration SWITCHOVER_POLL = Duration.ofMillis(200);
    private static final Logger LOG = Logger.getLogger(LearningDatabaseReconciler.class);
    private static final Duration IDENTIFIER_RECORDED = Duration.ofMillis(100);

    @Inject
    EventRecorder events;

    @Inject
    MeterRegistry meters;

    @Inject
    ReplicationMonitor replication;

    @Inject
    FailoverCoordinator failover;

    @Inject
    PrimaryWatch primaryWatch;

    @Inject
    io.learningdb.operator.replication.InstanceAddresses addresses;

    @Inject
    io.learningdb.operator.replication.Databases databases;

    @Inject
    SwitchoverCoordinator switchover;

    @Inject
    io.learningdb.operator.config.OperatorConfig config;

    @Override
    public List<EventSource<?, LearningDatabase>> prepareEventSources(EventSourceContext<LearningDatabase> context) {
        // instance and pooler pods are not owned by the LearningDatabase (their StatefulSets own them): map by label
        var pods = InformerEventSourceConfiguration.from(Pod.class, LearningDatabase.class)
                .withName(PODS)
                .withLabelSelector(Labels.CLUSTER)
                .withSecondaryToPrimaryMapper(pod -> Set.of(new ResourceID(
                        pod.getMetadata().getLabels().get(Labels.CLUSTER), pod.getMetadata().getNamespace())))
                .build();
        // maintenance and backup Jobs are owned by their CronJobs (or, on demand, by the LearningDatabase): map by label
        var jobs = InformerEventSourceConfiguration.from(Job.class, LearningDatabase.class)
                .withName(JOBS)
                // every Job of a cluster (maintenance, backup, upgrade) has both labels; consumers pick by component
                .withLabelSelector(Labels.COMPONENT + "," + Labels.CLUSTER)
                .withSecondaryToPrimaryMapper(job -> Set.of(new ResourceID(
                        job.getMetadata().getLabels().get(Labels.CLUSTER), job.getMetadata().getNamespace())))
                .build();
        // the instances' PersistentVolumeClaims (labelled by their StatefulSet's claim template): volume expansion
        var claims = InformerEventSourceConfiguration.from(PersistentVolumeClaim.class, LearningDatabase.class)
                .withName(CLAIMS)
                .withLabelSelector(Labels.COMPONENT + "=" + Labels.COMPONENT_INSTANCE + "," + Labels.CLUSTER)
                .withSecondaryToPrimaryMapper(claim -> Set.of(new ResourceID(
                        claim.getMetadata().getLabels().get(Labels.CLUSTER), claim.getMetadata().getNamespace())))
                .build();
        var podSource = new InformerEventSource<>(pods, context);
        // nodes: only whether they are draining (cordoned, or marked by the cluster autoscaler), cached reduced to
        // that; a node starting or ending a drain maps to the clusters whose primary runs on it
        var nodes = InformerEventSourceConfiguration.from(Node.class, LearningDatabase.class)
                .withName(NODES)
                .withWatchAllNamespaces()
                .withFollowControllerNamespacesChanges(false)
                .withItemStore(new ReducedStateItemStore<>(ReducedStateItemStore.NAME_KEY_STATE, Node.class,
                        context.getClient().getKubernetesSerialization(), "spec.unschedulable", "spec.taints"))
                .withOnAddFilter(NodeDrain::draining)
                .withOnUpdateFilter((now, before) -> NodeDrain.draining(now) != NodeDrain.draining(before))
                .withOnDeleteFilter((node, unknown) -> false)
                .withSecondaryToPrimaryMapper(node -> podSource
                        .list(p -> node.getMetadata().getName().equals(p.getSpec().getNodeName())
                                && Labels.COMPONENT_INSTANCE.equals(p.getMetadata().getLabels().get(Labels.COMPONENT))
                                && Labels.ROLE_PRIMARY.equals(p.getMetadata().getLabels().get(Labels.ROLE)))
                        .map(p -> new ResourceID(p.getMetadata().getLabels().get(Labels.CLUSTER), p.getMetadata().getNamespace()))
                        .collect(java.util.stream.Collectors.toSet()))
                .build();
        return List.of(podSource, new InformerEventSource<>(jobs, context), new InformerEventSource<>(nodes, context),
                new InformerEventSource<>(claims, context),
                new ReplicationEventSource(context, replication), new PrimaryWatchEventSource(context, primaryWatch));
    }

    @Override
    public UpdateControl<LearningDatabase> reconcile(LearningDatabase ldb, Context<LearningDatabase> context) {
        Instant now = Instant.now();
        meters.counter("learningdb_reconciles_total").increment();

        // A spec that cannot be applied stops the changes, never the healing: the cluster as it runs keeps failing
        // over and keeps its role labels until the spec is fixed.
        List<String> problems = SpecValidator.validate(ldb);
        if (!problems.isEmpty()) {
            return failed(ldb, context, "InvalidSpec", "invalid spec: " + String.join("; ", problems), now);
        }

        Optional<String> missing = missingReference(ldb, context);
        if (missing.isPresent()) {
            return failed(ldb, context, "InitSQLNotFound", missing.get(), now);
        }
        Optional<String> tlsProblem = TlsFingerprint.checkUserSecret(ldb, context);
        if (tlsProblem.isPresent()) {
            return failed(ldb, context, "TLSSecretNotFound", tlsProblem.get(), now);
        }

        var refusedChanges = new ArrayList<String>();
        context.managedWorkflowAndDependentResourceContext().put(StatefulSetDependent.REFUSED_CHANGES, refusedChanges);
        CertificateRollout.observe(ldb, context, poolerReloads);
        var errors = applyOwnedObjects(context);
        String applyError = errors.isEmpty() ? null : describe(errors);
        // a Secret a user must move stays until they do; anything else (a conflict, the API server) is tried again soon
        Duration applyRetry = errors.values().stream().allMatch(e -> e instanceof SecretConflict) ? RECHECK : APPLY_RETRY;
        replication.exportApplyFailing(ldb, applyError != null);

        Optional<Login> superuser = superuserLogin(ldb, context);
        Healing healing = heal(ldb, context, superuser, now, true);
        String primary = healing.primary();
        List<Pod> pods = healing.pods();

        Optional<StatefulSet> pooler = context.getSecondaryResourcesAsStream(StatefulSet.class)
                .filter(s -> Names.pooler(ldb).equals(s.getMetadata().getName()))
                .findFirst();
        measureReplicationOnceReady(ldb, primary, pods, superuser);
        PoolerReloads.login(ldb, context).ifPresent(l -> replication.registerPoolers(ldb,
                PoolerReloads.readyPods(context).stream().map(p -> p.getMetadata().getName()).toList(), l));
        var snapshot = context.getSecondaryResource(ReplicationSnapshot.class);
        fenceRoguePrimaries(ldb, primary, healing, snapshot, context, now);
        ensureInsights(ldb, primary, snapshot, superuser, context, now);
        var maintenance = new StatusAggregator.Maintenance(
                context.getSecondaryResourcesAsStream(CronJob.class).toList(),
                context.getSecondaryResourcesAsStream(Job.class).toList(),
                context.getSecondaryResourcesAsStream(Pod.class)
                        .filter(p -> Labels.COMPONENT_MAINTENANCE.equals(p.getMetadata().getLabels().get(Labels.COMPONENT)))
                        .toList());
        var next = StatusAggregator.observed(ldb, primary, pods, pooler, snapshot, maintenance, applyError, now);
        BackupHealth.apply(ldb, ldb.getStatus(), next, snapshot.map(ReplicationSnapshot::archiver).orElse(null),
                maintenance.jobs(), context.getSecondaryResourcesAsStream(Pod.class)
                        .filter(p -> Labels.COMPONENT_BACKUP.equals(p.getMetadata().getLabels().get(Labels.COMPONENT)))
                        .toList(), now);
        BackupRequests.act(ldb, context.getClient(), next, Images.postgres(ldb, config), events);
        BackupHealth.lastBackupCompleted(next.getBackup()).ifPresent(at -> replication.exportLastBackup(ldb, at));
        var poolerSettings = poolerReloads.act(ldb, context, addresses, events);
        var rollout = rollout(ldb, pods, context.getSecondaryResourcesAsStream(StatefulSet.class)
                .filter(s -> Names.instances(ldb).equals(s.getMetadata().getName())).findFirst()
                .map(s -> s.getSpec().getTemplate()), snapshot, now);
        rollout.withPoolers(poolerSettings.pending())
                .withVolumes(context.getSecondaryResourcesAsStream(PersistentVolumeClaim.class).toList(), ldb)
                .apply(Optional.ofNullable(ldb.getStatus()).orElseGet(LearningDatabaseStatus::new), next,
                        next.getObservedGeneration(), now);
        var restartRecheck = PrimaryRestartStep.act(ldb, context, primary, pods, rollout, next, events, now);
        var upgradeRecheck = MajorUpgradeStep.act(ldb, context, next, config, events, now);
        var certificateRecheck = CertificateRollout.publish(ldb, context, next, events, now);
        next.setInsights(insights.next(ldb, primary, snapshot, superuser, databases, addresses,
                config.insightsInterval(), now));
        reports.publish(ldb, context.getClient(), insights.latestReport(ldb), events);
        next.setLastFailover(healing.lastFailover());
        next.setLastSwitchover(healing.lastSwitchover());
        next.setTargetPrimary(healing.target() == null ? null : healing.target().pod());
        next.setTargetPrimarySince(healing.target() == null ? null : healing.target().since());
        List<Condition> previousConditions = ldb.getStatus() == null ? List.of() : ldb.getStatus().getConditions();
        if (!refusedChanges.isEmpty()) {
            // the rest of the spec is applied; these parts cannot be without recreating what holds the data
            Conditions.set(next.getConditions(), previousConditions, Conditions.SPEC_APPLIED, false,
                    Conditions.UNSUPPORTED_CHANGE, "not applied (kube-apiserver forbids updating these fields; the "
                            + "running objects keep their values): " + String.join("; ", refusedChanges),
                    next.getObservedGeneration(), now);
        } else {
            next.getConditions().removeIf(c -> Conditions.SPEC_APPLIED.equals(c.getType())
                    && Conditions.UNSUPPORTED_CHANGE.equals(c.getReason()));
        }
        if (healing.failoverBlocked() != null) {
            Conditions.set(next.getConditions(), previousConditions, Conditions.PRIMARY_AVAILABLE, false,
                    "FailoverBlocked", healing.failoverBlocked(), next.getObservedGeneration(), now);
        }
        StatusAggregator.systemIdentifierMismatch(ldb.getStatus(), snapshot).ifPresent(message ->
                Conditions.set(next.getConditions(), previousConditions, Conditions.PRIMARY_AVAILABLE, false,
                        Conditions.SYSTEM_IDENTIFIER_MISMATCH, message, next.getObservedGeneration(), now));
        recordTransitions(ldb, next);
        String recordedIdentifier = ldb.getStatus() == null ? null : ldb.getStatus().getSystemIdentifier();
        var control = publish(ldb, next, context);
        if (control.getScheduleDelay().isPresent()) {
            return control; // the resource changed meanwhile: start over now
        }
        if (healing.clearRequest()) {
            // only once the intent is in status: the request annotation is not needed any more
            clearSwitchoverRequest(ldb, context);
        }
        Duration recheck = healing.recheck();
        if (applyError != null) {
            recheck = sooner(recheck, applyRetry);
        }
        recheck = sooner(recheck, poolerSettings.recheck().orElse(null));
        recheck = sooner(recheck, certificateRecheck.orElse(null));
        recheck = sooner(recheck, upgradeRecheck.orElse(null));
        recheck = sooner(recheck, restartRecheck.orElse(null));
        recheck = sooner(recheck, insights.recheck(ldb, config.insightsInterval(), now).orElse(null));
        if (!rollout.loading().isEmpty()) {
            recheck = sooner(recheck, RECHECK); // a reload that does not come is noticed without an event
        }
        if (!refusedChanges.isEmpty()) {
            recheck = sooner(recheck, RECHECK); // what blocks it may be fixed elsewhere (a StorageClass allowing expansion)
        }
        if (next.getSystemIdentifier() != null && !next.getSystemIdentifier().equals(recordedIdentifier)) {
            // first recorded now: the instance pods get it at once (a status write alone triggers no reconcile)
            recheck = IDENTIFIER_RECORDED;
        }
        return recheck != null ? control.rescheduleAfter(recheck) : control;
    }

    /** What healing decided: the primary from now on, the pods as labelled, records for status, when to look again. */
    record Healing(String primary, List<Pod> pods, FailoverStatus lastFailover, FailoverStatus lastSwitchover,
            Duration recheck, String failoverBlocked, Target target, boolean clearRequest) {

        Healing(String primary, List<Pod> pods, FailoverStatus lastFailover, FailoverStatus lastSwitchover,
                Duration recheck, String failoverBlocked, Target target) {
            this(primary, pods, lastFailover, lastSwitchover, recheck, failoverBlocked, target, false);
        }

        Healing withRecheck(Duration sooner) {
            return new Healing(primary, pods, lastFailover, lastSwitchover, sooner, failoverBlocked, target, clearRequest);
        }
    }

    /** A switchover in progress, as status records it: the instance being made primary and since when. */
    record Target(String pod, String since) {
        static Optional<Target> of(LearningDatabaseStatus status) {
            return status == null || status.getTargetPrimary() == null ? Optional.empty()
                    : Optional.of(new Target(status.getTargetPrimary(), status.getTargetPrimarySince()));
        }

        Instant started(Instant now) {
            return since == null ? now : Instant.parse(since);
        }
    }

    /**
     * Keeps a primary serving, in order of urgency: failover when the primary is lost; otherwise a switchover that
     * was requested or is needed (scale-down past the primary, rolling update of the primary); otherwise the next
     * replica of a rolling update. Then the role labels follow the decision.
     */
    private Healing heal(LearningDatabase ldb, Context<LearningDatabase> context, Optional<Login> superuser, Instant now,
            boolean specUsable) {
        Healing healing = keepPrimary(ldb, context, superuser, now, specUsable);
        reportStuckTerminating(ldb, healing.pods(), now);
        // a pod now terminating is looked at again when it would count as stuck
        return healing.withRecheck(sooner(healing.recheck(), StuckTerminating.nextCheck(healing.pods(), now).orElse(null)));
    }

    private Healing keepPrimary(LearningDatabase ldb, Context<LearningDatabase> context, Optional<Login> superuser,
            Instant now, boolean specUsable) {
        String primary = primaryOf(ldb);
        List<Pod> instances = instancePods(context);
        Optional<StatefulSet> running = context.getSecondaryResourcesAsStream(StatefulSet.class)
                .filter(s -> Names.instances(ldb).equals(s.getMetadata().getName())).findFirst();
        Optional<PodTemplateSpec> template = running.map(s -> s.getSpec().getTemplate());
        Rollout rollout = rollout(ldb, instances, template, context.getSecondaryResource(ReplicationSnapshot.class), now);
        // the replicas the cluster has: the spec's, or while the spec cannot be used, the running StatefulSet's
        int members = specUsable ? ldb.getSpec().getReplicas()
                : running.map(s -> Math.max(0, Optional.ofNullable(s.getSpec().getReplicas()).orElse(1) - 1)).orElse(0);
        var status = Optional.ofNullable(ldb.getStatus());
        FailoverStatus lastFailover = status.map(LearningDatabaseStatus::getLastFailover).orElse(null);
        FailoverStatus lastSwitchover = status.map(LearningDatabaseStatus::getLastSwitchover).orElse(null);

        Target target = Target.of(ldb.getStatus()).orElse(null);

        if (MajorUpgrades.underWay(ldb)) {
            // every instance stops on purpose, then starts on the new major: no failover, switchover or restart acts
            return new Healing(primary, assignRoles(ldb, primary, instances, context), lastFailover, lastSwitchover,
                    null, null, target);
        }
        if (PrimaryRestarts.suppressesFailover(ldb, primary, now)) {
            // the primary restarts in place on purpose (recorded in status): failover waits for it, within a bound
            return new Healing(primary, assignRoles(ldb, primary, instances, context), lastFailover, lastSwitchover,
                    PrimaryRestartStep.POLL, null, target);
        }

        if (target != null && specUsable && superuser.isPresent()) {
            // a switchover in progress drives the primary until it ends (failover would act on the old primary
            // the switchover is stopping on purpose)
            var outcome = switchover.switchover(ldb, primary, target.pod(), instances, superuser.get(), target.started(now));
            if (outcome instanceof SwitchoverCoordinator.CatchingUp) {
                // nothing else moves while the primary is fenced and its last WAL is being replayed
                return new Healing(primary, assignRoles(ldb, primary, instances, context), lastFailover, lastSwitchover,
                        SWITCHOVER_POLL, null, target);
            }
            if (outcome instanceof SwitchoverCoordinator.Demoting d) {
                // every pod replica first (the old primary's new pod must come back as one), then the fast stop
                var pods = assignRoles(ldb, NO_PRIMARY, instances, context);
                instances.stream().filter(p -> p.getMetadata().getName().equals(d.primary()))
                        .filter(p -> p.getMetadata().getDeletionTimestamp() == null)
                        .filter(p -> !p.getMetadata().getUid().equals(demotedUid.get(key(ldb))))
                        .findFirst().ifPresent(p -> {
                            demotedUid.put(key(ldb), p.getMetadata().getUid());
                            deletePod(ldb, d.primary(), context);
                            events.record(ldb, EventRecorder.NORMAL, "SwitchoverDemoting", "stopping " + d.primary()
                                    + " (fast shutdown: its last WAL goes to the replicas) to switch over to " + d.target());
                        });
                return new Healing(primary, pods, lastFailover, lastSwitchover, SWITCHOVER_POLL, null, target);
            }
            if (outcome instanceof SwitchoverCoordinator.Switched sw) {
                boolean stillLabelledPrimary = instances.stream().anyMatch(p -> p.getMetadata().getName().equals(sw.from())
                        && Labels.ROLE_PRIMARY.equals(p.getMetadata().getLabels().get(Labels.ROLE)));
                var pods = assignRoles(ldb, sw.to(), instances, context);
                if (stillLabelledPrimary) {
                    deletePod(ldb, sw.from(), context); // resumed after a crash before demotion: fence it now
                }
                demotedUid.remove(key(ldb));
                reconnectPoolers(ldb, context);
                events.record(ldb, EventRecorder.NORMAL, "SwitchoverCompleted", "switched over from " + sw.from()
                        + " to " + sw.to() + " in " + sw.millis() + " ms without losing a commit; " + sw.from()
                        + " rejoins as a replica");
                return new Healing(sw.to(), pods, lastFailover, switchoverRecord(sw, now), null, null, null);
            }
            if (outcome instanceof SwitchoverCoordinator.Rejected r) {
                events.record(ldb, EventRecorder.WARNING, "SwitchoverRejected", r.reason());
                return new Healing(primary, assignRoles(ldb, primary, instances, context), lastFailover, lastSwitchover,
                        RECHECK, null, null);
            }
        }

        var failed = failover.heal(ldb, primary, instances, superuser, now, members,
                context.getSecondaryResource(PrimaryHealth.class));
        if (failed instanceof FailoverCoordinator.Promoted promoted) {
            events.record(ldb, EventRecorder.WARNING, "PrimaryLost", promoted.reason());
            var pods = assignRoles(ldb, promoted.to(), instances, context);
            fence(ldb, promoted, context);
            reconnectPoolers(ldb, context);
            return new Healing(promoted.to(), pods, failoverRecord(promoted, now), lastSwitchover, null, null, null);
        }
        if (failed instanceof FailoverCoordinator.Waiting waiting) {
            return new Healing(primary, assignRoles(ldb, primary, instances, context), lastFailover, lastSwitchover,
                    waiting.remaining().plusSeconds(1), null, target);
        }
        if (failed instanceof FailoverCoordinator.Blocked blocked) {
            return new Healing(primary, assignRoles(ldb, primary, instances, context), lastFailover, lastSwitchover,
                    blocked.recheck(), blocked.reason(), target);
        }

        if (!specUsable) {
            // no planned change while the spec cannot be used: only what keeps the running cluster serving
            return new Healing(primary, assignRoles(ldb, primary, instances, context), lastFailover, lastSwitchover,
                    null, null, target);
        }
        if (target == null) {
            var plan = switchoverTarget(ldb, primary, instances, rollout, context);
            if (plan.isPresent() && superuser.isPresent()) {
                // intent first: the switchover starts on the next reconcile, from status, so a restart or a
                // conflicting write resumes it instead of reversing it
                if (plan.get().reason() != null) {
                    events.record(ldb, EventRecorder.NORMAL, plan.get().reason(), plan.get().message());
                }
                return new Healing(primary, assignRoles(ldb, primary, instances, context), lastFailover, lastSwitchover,
                        SWITCHOVER_POLL, null, new Target(plan.get().target(), now.toString()),
                        SwitchoverCoordinator.requested(ldb).isPresent());
            }
        }
        boolean staleRequest = SwitchoverCoordinator.requested(ldb).filter(primary::equals).isPresent();

        var pods = assignRoles(ldb, primary, instances, context);
        RollingUpdate.nextReplicaToRestart(ldb, primary, pods, rollout).ifPresent(pod -> {
            deletePod(ldb, pod, context);
            events.record(ldb, EventRecorder.NORMAL, "RollingUpdate", "restarting replica " + pod + ": "
                    + rollout.why(pod) + " (one instance at a time, replicas first)");
        });
        return new Healing(primary, pods, lastFailover, lastSwitchover, null, null, target, staleRequest);
    }

    /**
     * The spec (or what it references) cannot be used: Failed with the reason, nothing applied, and still the healing
     * of the cluster as it runs (failover, role labels of recreated pods) for as long as the spec stays broken.
     */
    private UpdateControl<LearningDatabase> failed(LearningDatabase ldb, Context<LearningDatabase> context, String reason,
            String message, Instant now) {
        var next = StatusAggregator.failed(ldb, reason, message, now);
        Duration recheck = RECHECK;
        if (ldb.getStatus() != null && ldb.getStatus().getPrimary() != null) {
            Healing healing = heal(ldb, context, superuserLogin(ldb, context), now, false);
            StatusAggregator.observePrimary(ldb, next, healing.primary(), healing.pods(), now);
            next.setLastFailover(healing.lastFailover());
            if (healing.failoverBlocked() != null) {
                Conditions.set(next.getConditions(), ldb.getStatus().getConditions(), Conditions.PRIMARY_AVAILABLE, false,
                        "FailoverBlocked", healing.failoverBlocked(), next.getObservedGeneration(), now);
            }
            recheck = sooner(recheck, healing.recheck());
        }
        recordTransitions(ldb, next);
        var control = publish(ldb, next, context);
        return control.getScheduleDelay().isPresent() ? control : control.rescheduleAfter(recheck);
    }

    /**
     * Lag is measured (on the replication event source's threads) from the moment the primary pod is first ready,
     * with the superuser credentials of the cluster's Secret.
     */
    private void measureReplicationOnceReady(LearningDatabase ldb, String primary, List<Pod> pods, Optional<Login> login) {
        boolean primaryReady = pods.stream().anyMatch(p -> p.getMetadata().getName().equals(primary)
                && StatusAggregator.isReady(p));
        if (primaryReady || replication.registered(ldb)) {
            login.ifPresent(l -> replication.register(ldb, primary, l));
        }
    }

    private static Optional<Login> superuserLogin(LearningDatabase ldb, Context<LearningDatabase> context) {
        return login(context, Names.superuserSecret(ldb));
    }

    /** The username and password of one of the cluster's credential Secrets, from the informer's cache. */
    private static Optional<Login> login(Context<LearningDatabase> context, String secret) {
        return context.getSecondaryResourcesAsStream(Secret.class)
                .filter(s -> secret.equals(s.getMetadata().getName()))
                .findFirst()
                .map(s -> new Login(Credentials.decode(s, Credentials.USERNAME), Credentials.decode(s, Credentials.PASSWORD)));
    }

    /**
     * A requested switchover (annotation), or one the operator needs itself: a scale-down that would remove the
     * primary's pod switches over to the most suitable remaining instance first.
     */
    /** A switchover to do now, and (for the ones the operator starts itself) the event that explains it. */
    record SwitchoverPlan(String target, String reason, String message) {
    }

    private Optional<SwitchoverPlan> switchoverTarget(LearningDatabase ldb, String primary, List<Pod> instances,
            Rollout rollout, Context<LearningDatabase> context) {
        var requested = SwitchoverCoordinator.requested(ldb).filter(t -> !t.equals(primary));
        if (requested.isPresent()) {
            return requested.map(t -> new SwitchoverPlan(t, null, null));
        }
        var drain = NodeDrain.decide(primary, instances, node -> node(context, node), lagBytes(ldb));
        if (drain.isPresent() && drain.get() instanceof NodeDrain.SwitchTo to) {
            return Optional.of(new SwitchoverPlan(to.target(), "NodeDrainSwitchover", "node " + to.node() + " of primary "
                    + primary + " is draining: switching over to " + to.target() + " before the primary is evicted"));
        }
        if (drain.isPresent() && drain.get() instanceof NodeDrain.NoTarget none
                && drainBlockedReported.putIfAbsent(key(ldb), none.node()) == null) {
            events.record(ldb, EventRecorder.WARNING, "NodeDrainBlocked", none.reason());
        } else if (drain.isEmpty()) {
            drainBlockedReported.remove(key(ldb));
        }
        var rolling = RollingUpdate.switchoverTarget(ldb, primary, instances, rollout);
        if (rolling.isPresent()) {
            return rolling.map(t -> new SwitchoverPlan(t, "RollingUpdateSwitchover", "every replica is updated: "
                    + "switching over from " + primary + " to " + t + " to restart " + primary + " (" + rollout.why(primary)
                    + ")"));
        }
        if (!Names.isMember(ldb, Names.ordinal(primary))) {
            return instances.stream()
                    .filter(p -> Names.isMember(ldb, StatusAggregator.ordinal(p)) && StatusAggregator.isReady(p))
                    .min(java.util.Comparator.comparingInt(StatusAggregator::ordinal))
                    .map(p -> new SwitchoverPlan(p.getMetadata().getName(), "ScaleDownSwitchover", "replicas lowered to "
                            + ldb.getSpec().getReplicas() + ": switching over from " + primary + " to "
                            + p.getMetadata().getName() + " before its pod is removed"));
        }
        return Optional.empty();
    }

    /** Clusters whose primary's drain is blocked (no replica to take over), reported once per drain. */
    private final Map<String, String> drainBlockedReported = new java.util.concurrent.ConcurrentHashMap<>();

    @SuppressWarnings("unchecked")
    private static Optional<Node> node(Context<LearningDatabase> context, String name) {
        return ((InformerEventSource<Node, LearningDatabase>) context.eventSourceRetriever()
                .getEventSourceFor(Node.class, NODES)).get(new ResourceID(name));
    }

    private static Map<String, Long> lagBytes(LearningDatabase ldb) {
        var lag = new java.util.HashMap<String, Long>();
        if (ldb.getStatus() != null && ldb.getStatus().getInstances() != null) {
            ldb.getStatus().getInstances().stream().filter(i -> i.getLagBytes() != null)
                    .forEach(i -> lag.put(i.getName(), i.getLagBytes()));
        }
        return lag;
    }

    private static void clearSwitchoverRequest(LearningDatabase ldb, Context<LearningDatabase> context) {
        if (SwitchoverCoordinator.requested(ldb).isPresent()) {
            context.getClient().resources(LearningDatabase.class).inNamespace(ldb.getMetadata().getNamespace())
                    .withName(ldb.getMetadata().getName()).edit(l -> {
                        l.getMetadata().getAnnotations().remove(SwitchoverCoordinator.ANNOTATION);
                        return l;
                    });
        }
    }

    private static FailoverStatus switchoverRecord(SwitchoverCoordinator.Switched s, Instant now) {
        var f = new FailoverStatus();
        f.setFrom(s.from());
        f.setTo(s.to());
        f.setTime(now.truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString());
        f.setDurationSeconds(Math.max(0, s.millis() / 1000));
        f.setReason("planned switchover");
        return f;
    }

    private static void deletePod(LearningDatabase ldb, String pod, Context<LearningDatabase> context) {
        var old = context.getClient().pods().inNamespace(ldb.getMetadata().getNamespace()).withName(pod);
        if (old.get() != null) {
            old.delete();
        }
    }

    private static FailoverStatus failoverRecord(FailoverCoordinator.Promoted promoted, Instant now) {
        var f = new FailoverStatus();
        f.setFrom(promoted.from());
        f.setTo(promoted.to());
        f.setTime(now.truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString());
        f.setDurationSeconds(promoted.downSeconds());
        f.setReason(promoted.reason());
        return f;
    }

    /**
     * The old primary's pod is deleted once it is labelled replica: if it is still running it stops serving writes
     * at once, and when the StatefulSet recreates it, instance.sh rejoins it as a replica (pg_rewind, or a fresh
     * clone) from the new primary. Its data volume is kept.
     */
    private void fence(LearningDatabase ldb, FailoverCoordinator.Promoted promoted, Context<LearningDatabase> context) {
        deletePod(ldb, promoted.from(), context);
        boolean sync = ldb.getSpec().getReplication() != null && ldb.getSpec().getReplication().getSynchronousReplicas() > 0;
        events.record(ldb, EventRecorder.NORMAL, "FailoverCompleted", "promoted " + promoted.to() + " in place of "
                + promoted.from() + " after " + promoted.downSeconds() + "s; " + promoted.from()
                + " will rejoin as a replica" + (sync ? " (synchronous replication: no acknowledged commit is missing)"
                        : "; asynchronous replication: " + promoted.to() + " lagged " + (promoted.lagBytes() == null
                                ? "an unknown amount" : promoted.lagBytes() + " bytes")
                                + " at the last measurement, and what " + promoted.from() + " wrote beyond what "
                                + promoted.to() + " received is discarded when it rejoins (pg_rewind; its log names the "
                                + "WAL position)"));
    }

    /** No instance: every pod labelled replica (while a switchover stops the old primary). */
    static final String NO_PRIMARY = "";

    /** The pod (uid) each cluster's switchover deleted to stop the old primary: deleted once, not its successor. */
    private final Map<String, String> demotedUid = new java.util.concurrent.ConcurrentHashMap<>();

    static String key(LearningDatabase ldb) {
        return ldb.getMetadata().getNamespace() + "/" + ldb.getMetadata().getName();
    }

    /**
     * The primary changed: every ready PgBouncer pod drops its server connections as they are released and opens
     * new ones through -rw (RECONNECT on its admin console), so none stays on the old primary. Best effort: a pooler
     * that does not answer loses those connections anyway when the old primary stops.
     */
    private void reconnectPoolers(LearningDatabase ldb, Context<LearningDatabase> context) {
        var pooler = PoolerReloads.login(ldb, context);
        if (pooler.isEmpty()) {
            return;
        }
        var login = pooler.get();
        context.getSecondaryResourcesAsStream(Pod.class)
                .filter(p -> Labels.COMPONENT_POOLER.equals(p.getMetadata().getLabels().get(Labels.COMPONENT)))
                .filter(StatusAggregator::isReady)
                .forEach(p -> {
                    try {
                        io.learningdb.operator.postgres.PoolerAdmin.reconnect(
                                addresses.ofPooler(ldb, p.getMetadata().getName()), login);
                    } catch (java.sql.SQLException | RuntimeException e) {
                        LOG.infof("%s/%s: RECONNECT on %s failed: %s", ldb.getMetadata().getNamespace(),
                                ldb.getMetadata().getName(), p.getMetadata().getName(), e.getMessage());
                    }
                });
    }

    /**
     * What is kept per cluster between reconciles is dropped when the cluster is deleted: with clusters created and
     * deleted all day it would otherwise grow without end, and a cluster created again under the same name would
     * inherit it (its insights objects taken for set up, a fence's quiet period).
     */
    @jakarta.annotation.PostConstruct
    void forgetDeletedClusters() {
        replication.onForget(this::forget);
    }

    void forget(ResourceID id) {
        String cluster = id.getNamespace().orElse("") + "/" + id.getName();
        forget(cluster);
        // a reconcile still running when the deletion arrived may put some back: once more when it has finished
        java.util.concurrent.CompletableFuture.runAsync(() -> forget(cluster),
                java.util.concurrent.CompletableFuture.delayedExecutor(FORGET_AGAIN.toMillis(),
                        java.util.concurrent.TimeUnit.MILLISECONDS));
    }

    static final Duration FORGET_AGAIN = Duration.ofSeconds(10);

    private void forget(String cluster) {
        for (var map : List.<Map<String, ?>>of(drainBlockedReported, demotedUid, insightsEnsured, fenced)) {
            map.keySet().removeIf(k -> cluster.equals(clusterOf(k)));
        }
        poolerReloads.forget(cluster);
        insights.forget(cluster);
        reports.forget(cluster);
        stalledReloads.forget(cluster);
    }

    /** The cluster ({@code ns/name}) a key of those maps belongs to: {@code ns/name} or {@code ns/name/...}. */
    static String clusterOf(String key) {
        String[] parts = key.split("/", 3);
        return parts.length < 2 ? key : parts[0] + "/" + parts[1];
    }

    /** The clusters ({@code ns/name}) something is kept of between reconciles (tests). */
    Set<String> tracked() {
        var out = new java.util.TreeSet<String>();
        for (var map : List.<Map<String, ?>>of(drainBlockedReported, demotedUid, insightsEnsured, fenced)) {
            map.keySet().forEach(k -> out.add(clusterOf(k)));
        }
        out.addAll(poolerReloads.tracked());
        out.addAll(insights.tracked());
        return out;
    }

    private final PoolerReloads poolerReloads = new PoolerReloads();
    private final InsightsRefresh insights = new InsightsRefresh();
    private final ReportPublisher reports = new ReportPublisher();
    private final StalledReloads stalledReloads = new StalledReloads();

    /** What needs a restart, and what is under way: the same rule for the decision and for status. */
    private Rollout rollout(LearningDatabase ldb, List<Pod> pods, Optional<PodTemplateSpec> template,
            Optional<ReplicationSnapshot> snapshot, Instant now) {
        return stalledReloads.apply(ldb, Rollout.observe(ldb, pods, template, snapshot), now);
    }

    /** Per cluster and primary: when the insights objects were last ensured, or last failed to be. */
    private final Map<String, Instant> insightsEnsured = new java.util.concurrent.ConcurrentHashMap<>();
    private static final Duration INSIGHTS_RETRY = Duration.ofMinutes(5);

    /**
     * Once per primary (and per operator process), off the reconcile thread: pg_stat_statements and the learningdb
     * views in the application database, for clusters bootstrapped before they existed, and the monitor role's
     * password. Only while the primary answers the lag measurement; a failure is logged and retried after
     * {@link #INSIGHTS_RETRY}.
     */
    private void ensureInsights(LearningDatabase ldb, String primary, Optional<ReplicationSnapshot> snapshot,
            Optional<Login> superuser, Context<LearningDatabase> context, Instant now) {
        if (superuser.isEmpty() || snapshot.isEmpty() || snapshot.get().error() != null
                || !primary.equals(snapshot.get().primary())) {
            return;
        }
        // the monitor role's password comes with its Secret: without it yet, wait for the Secret's event (a role
        // without a password would leave the exporter locked out until the operator restarts); a new password (the
        // Secret deleted and re-created) is set again
        Optional<Login> monitor = login(context, Names.monitorSecret(ldb));
        if (monitor.isEmpty()) {
            return;
        }
        String key = key(ldb) + "/" + primary + "/" + snapshot.get().systemIdentifier() + "/"
                + io.learningdb.operator.resources.ConfigHash.of(monitor.get().password()).substring(0, 8);
        Instant last = insightsEnsured.get(key);
        if (last != null && (last.equals(Instant.MAX) || now.isBefore(last.plus(INSIGHTS_RETRY)))) {
            return;
        }
        insightsEnsured.put(key, now); // in flight; a failure leaves this time, a success Instant.MAX
        var endpoint = addresses.of(ldb, primary);
        var bootstrap = ldb.getSpec().getBootstrap();
        java.util.concurrent.CompletableFuture.runAsync(() -> {
            try (var c = databases.pools().connect(endpoint, superuser.get(), bootstrap.getDatabase())) {
                io.learningdb.operator.postgres.Insights.ensure(c, bootstrap.getOwner(), monitor.get());
                insightsEnsured.put(key, Instant.MAX);
            } catch (java.sql.SQLException | RuntimeException e) {
                LOG.infof("%s/%s: query insights not set up on %s yet: %s", ldb.getMetadata().getNamespace(),
                        ldb.getMetadata().getName(), primary, e.getMessage());
            }
        });
    }

    private static Duration sooner(Duration a, Duration b) {
        return a == null ? b : b == null ? a : a.compareTo(b) <= 0 ? a : b;
    }

    /** Pod uids already reported stuck terminating (one Warning each, not one per reconcile). */
    private final Map<String, Boolean> reportedStuck = new java.util.concurrent.ConcurrentHashMap<>();

    /** Instance pods the kubelet does not finish deleting: reported with what frees them, never force-deleted. */
    private void reportStuckTerminating(LearningDatabase ldb, List<Pod> instances, Instant now) {
        for (var stuck : StuckTerminating.of(instances, now)) {
            if (reportedStuck.putIfAbsent(stuck.uid(), Boolean.TRUE) == null) {
                LOG.warnf("%s/%s: %s", ldb.getMetadata().getNamespace(), ldb.getMetadata().getName(), stuck.message());
                events.record(ldb, EventRecorder.WARNING, "PodStuckTerminating", stuck.message());
            }
        }
        if (reportedStuck.size() > 1000) {
            reportedStuck.clear(); // bounded: at worst a pod still stuck is reported once more
        }
    }

    /** When each rogue instance was fenced: a measurement taken before its pod was recreated must not fence it again. */
    private final Map<String, Instant> fenced = new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * An instance labelled replica that answers as a primary (it left recovery: a promotion whose outcome was lost,
     * an isolated former primary that came back) takes writes no one will keep and serves them on -ro. Its pod is
     * deleted — its container stops with a fast shutdown — and the StatefulSet's new pod rejoins as a replica with
     * pg_rewind; what it committed alone is discarded, which the event says.
     */
    private void fenceRoguePrimaries(LearningDatabase ldb, String primary, Healing healing,
            Optional<ReplicationSnapshot> snapshot, Context<LearningDatabase> context, Instant now) {
        if (snapshot.isEmpty() || !primary.equals(snapshot.get().primary()) || !primary.equals(healing.primary())) {
            return; // measured around another primary: a promotion in flight, not a rogue
        }
        Duration quiet = ReplicationMonitor.pollInterval(ldb).multipliedBy(2).plusSeconds(5);
        for (String pod : snapshot.get().outOfRecovery()) {
            String key = key(ldb) + "/" + pod;
            boolean recentlyFenced = Optional.ofNullable(fenced.get(key)).map(t -> t.plus(quiet).isAfter(now)).orElse(false);
            boolean target = healing.target() != null && pod.equals(healing.target().pod());
            Optional<Pod> labelledReplica = healing.pods().stream().filter(p -> p.getMetadata().getName().equals(pod))
                    .filter(p -> Labels.ROLE_REPLICA.equals(p.getMetadata().getLabels().get(Labels.ROLE)))
                    .filter(p -> p.getMetadata().getDeletionTimestamp() == null).findFirst();
            if (pod.equals(primary) || target || recentlyFenced || labelledReplica.isEmpty()) {
                continue;
            }
            fenced.put(key, now);
            deletePod(ldb, pod, context);
            events.record(ldb, EventRecorder.WARNING, "RoguePrimaryFenced", pod + " is labelled replica but left "
                    + "recovery and accepts writes; its pod is deleted and it rejoins as a replica of " + primary
                    + " (pg_rewind): whatever it committed on its own is discarded");
        }
    }

    /** The current primary: kept in status (state lives in the cluster); pod 0 for a new cluster. */
    static String primaryOf(LearningDatabase ldb) {
        return Optional.ofNullable(ldb.getStatus()).map(LearningDatabaseStatus::getPrimary)
                .orElse(Names.instancePod(ldb, 0));
    }

    static List<Pod> instancePods(Context<LearningDatabase> context) {
        return context.getSecondaryResourcesAsStream(Pod.class)
                .filter(p -> Labels.COMPONENT_INSTANCE.equals(p.getMetadata().getLabels().get(Labels.COMPONENT)))
                .toList();
    }

    /**
     * Labels every instance pod with its role. Demotions are written before the promotion so that two pods are
     * never labelled primary at once. Returns the pods as they are after the change.
     */
    private List<Pod> assignRoles(LearningDatabase ldb, String primary, List<Pod> pods, Context<LearningDatabase> context) {
        String systemIdentifier = ldb.getStatus() == null ? null : ldb.getStatus().getSystemIdentifier();
        var result = new ArrayList<Pod>();
        Pod toPromote = null;
        for (Pod pod : pods) {
            String desired = pod.getMetadata().getName().equals(primary) ? Labels.ROLE_PRIMARY : Labels.ROLE_REPLICA;
            boolean roleOk = desired.equals(pod.getMetadata().getLabels().get(Labels.ROLE));
            boolean idOk = systemIdentifier == null || pod.getMetadata().getAnnotations() != null
                    && systemIdentifier.equals(pod.getMetadata().getAnnotations().get(Labels.SYSTEM_IDENTIFIER));
            if (roleOk && idOk) {
                result.add(pod);
            } else if (Labels.ROLE_PRIMARY.equals(desired) && !roleOk) {
                toPromote = pod;
            } else {
                result.add(label(pod, desired, systemIdentifier, context));
            }
        }
        if (toPromote != null) {
            result.add(label(toPromote, Labels.ROLE_PRIMARY, systemIdentifier, context));
            events.record(ldb, EventRecorder.NORMAL, "PrimaryAssigned",
                    "pod " + primary + " labelled " + Labels.ROLE + "=primary; " + Names.readWriteService(ldb)
                            + " routes to it");
        }
        return result;
    }

    /** The role label and, once known, the cluster's system identifier (instance.sh reads both at start). */
    private static Pod label(Pod pod, String role, String systemIdentifier, Context<LearningDatabase> context) {
        return context.getClient().pods().inNamespace(pod.getMetadata().getNamespace())
                .withName(pod.getMetadata().getName())
                .edit(p -> {
                    p.getMetadata().getLabels().put(Labels.ROLE, role);
                    if (systemIdentifier != null) {
                        if (p.getMetadata().getAnnotations() == null) {
                            p.getMetadata().setAnnotations(new java.util.HashMap<>());
                        }
                        p.getMetadata().getAnnotations().put(Labels.SYSTEM_IDENTIFIER, systemIdentifier);
                    }
                    return p;
                });
    }

    private static Optional<String> missingReference(LearningDatabase ldb, Context<LearningDatabase> context) {
        var ref = ldb.getSpec().getBootstrap().getInitSQL();
        if (ref == null) {
            return Optional.empty();
        }
        ConfigMap cm = context.getClient().configMaps().inNamespace(ldb.getMetadata().getNamespace())
                .withName(ref.getName()).get();
        if (cm == null) {
            return Optional.of("bootstrap.initSQL: ConfigMap " + ref.getName() + " not found in namespace "
                    + ldb.getMetadata().getNamespace() + "; the cluster is created once it exists");
        }
        if (cm.getData() == null || !cm.getData().containsKey(ref.getKey())) {
            return Optional.of("bootstrap.initSQL: ConfigMap " + ref.getName() + " has no key " + ref.getKey());
        }
        return Optional.empty();
    }

    /**
     * The workflow, its failures as a result: what failed goes into the Ready condition and an event, and the rest of
     * the reconcile (healing, status) still runs. The workflow throws them although the reconciler is declared to
     * handle them (the Quarkus extension's workflow does not pass that setting on), and a thrown failure left the
     * cluster with no condition at all while JOSDK retried it.
     */
    private static Map<?, Exception> applyOwnedObjects(Context<LearningDatabase> context) {
        var workflow = context.managedWorkflowAndDependentResourceContext();
        try {
            var result = workflow.reconcileManagedWorkflow();
            return result.erroredDependentsExist() ? result.getErroredDependents() : Map.of();
        } catch (io.javaoperatorsdk.operator.AggregatedOperatorException e) {
            return workflow.getWorkflowReconcileResult()
                    .filter(r -> r.erroredDependentsExist())
                    .<Map<?, Exception>>map(r -> r.getErroredDependents())
                    .orElseGet(() -> e.getAggregatedExceptions());
        }
    }

    private static String describe(Map<?, Exception> errors) {
        return errors.entrySet().stream()
                .map(e -> {
                    Exception ex = e.getValue();
                    String msg = ex instanceof KubernetesClientException kce && kce.getStatus() != null
                            ? kce.getStatus().getMessage() : ex.getMessage();
                    String name = e.getKey() instanceof io.javaoperatorsdk.operator.api.reconciler.dependent.DependentResource<?, ?> d
                            ? d.name() : String.valueOf(e.getKey());
                    return "applying " + name + " failed: " + msg;
                })
                .collect(Collectors.joining("; "));
    }

    /**
     * Events on transitions only (never on a steady state): the Ready condition changing status or reason, a replica
     * starting or stopping to lag or disconnecting, the database becoming unreachable for measurement.
     */
    private void recordTransitions(LearningDatabase ldb, LearningDatabaseStatus next) {
        for (var t : ReplicationHealth.transitions(ldb.getStatus(), next)) {
            events.record(ldb, t.warning() ? EventRecorder.WARNING : EventRecorder.NORMAL, t.reason(), t.message());
        }
        var replBefore = Optional.ofNullable(ldb.getStatus())
                .flatMap(s -> Conditions.find(s.getConditions(), Conditions.REPLICATION_HEALTHY));
        Conditions.find(next.getConditions(), Conditions.REPLICATION_HEALTHY)
                .filter(c -> "DatabaseUnreachable".equals(c.getReason()))
                .filter(c -> replBefore.map(b -> !"DatabaseUnreachable".equals(b.getReason())).orElse(true))
                .ifPresent(c -> events.record(ldb, EventRecorder.WARNING, c.getReason(), c.getMessage()));
        for (String[] failure : MaintenanceHealth.newFailures(ldb.getStatus(), next)) {
            events.record(ldb, EventRecorder.WARNING, "MaintenanceJobFailed", failure[0] + ": " + failure[1]);
        }
        newlyReported(ldb, next, Conditions.SPEC_APPLIED, Conditions.UNSUPPORTED_CHANGE)
                .ifPresent(c -> events.record(ldb, EventRecorder.WARNING, c.getReason(), c.getMessage()));
        newlyReported(ldb, next, Conditions.SPEC_APPLIED, Rollout.PARAMETER_REFUSED)
                .ifPresent(c -> events.record(ldb, EventRecorder.WARNING, c.getReason(), c.getMessage()));
        newReason(ldb, next, Conditions.PROGRESSING, Rollout.CONFIGURATION_RELOADING)
                .ifPresent(c -> events.record(ldb, EventRecorder.NORMAL, c.getReason(), c.getMessage()));
        newReason(ldb, next, Conditions.PROGRESSING, Rollout.UP_TO_DATE)
                .filter(c -> ldb.getStatus() != null
                        && Conditions.find(ldb.getStatus().getConditions(), Conditions.PROGRESSING).isPresent())
                .ifPresent(c -> events.record(ldb, EventRecorder.NORMAL, c.getReason(), c.getMessage()));
        newlyReported(ldb, next, Conditions.PRIMARY_AVAILABLE, "FailoverBlocked")
                .ifPresent(c -> events.record(ldb, EventRecorder.WARNING, c.getReason(), c.getMessage()));
        newlyReported(ldb, next, Conditions.PRIMARY_AVAILABLE, Conditions.SYSTEM_IDENTIFIER_MISMATCH)
                .ifPresent(c -> events.record(ldb, EventRecorder.WARNING, c.getReason(), c.getMessage()));
        newReason(ldb, next, Conditions.CONTINUOUS_ARCHIVING, BackupHealth.ARCHIVING_FAILING)
                .ifPresent(c -> events.record(ldb, EventRecorder.WARNING, c.getReason(), c.getMessage()));
        newReason(ldb, next, Conditions.CONTINUOUS_ARCHIVING, BackupHealth.ARCHIVED)
                .filter(c -> ldb.getStatus() != null && Conditions.find(ldb.getStatus().getConditions(), Conditions.CONTINUOUS_ARCHIVING)
                        .map(b -> BackupHealth.ARCHIVING_FAILING.equals(b.getReason())).orElse(false))
                .ifPresent(c -> events.record(ldb, EventRecorder.NORMAL, "ArchivingRecovered", c.getMessage()));
        newlyReported(ldb, next, Conditions.BACKUPS_HEALTHY, BackupHealth.BACKUP_FAILED)
                .ifPresent(c -> events.record(ldb, EventRecorder.WARNING, c.getReason(), c.getMessage()));
        Optional.ofNullable(next.getBackup()).map(b -> b.getLastBackup()).filter(b -> !Objects.equals(b.getName(),
                Optional.ofNullable(ldb.getStatus()).map(LearningDatabaseStatus::getBackup).map(x -> x.getLastBackup())
                        .map(x -> x.getName()).orElse(null)))
                .ifPresent(b -> events.record(ldb, EventRecorder.NORMAL, "BackupCompleted", "base backup " + b.getName()
                        + " (" + b.getType() + ", " + b.getSize() + ", " + b.getDurationSeconds() + " s)"));
        recordReadyTransition(ldb, next);
    }

    /** The condition of this type in {@code next} when it has this reason and had another one (or none) before. */
    private static Optional<Condition> newReason(LearningDatabase ldb, LearningDatabaseStatus next, String type, String reason) {
        var before = Optional.ofNullable(ldb.getStatus()).flatMap(st -> Conditions.find(st.getConditions(), type));
        return Conditions.find(next.getConditions(), type)
                .filter(c -> reason.equals(c.getReason()))
                .filter(c -> before.map(b -> !Objects.equals(b.getReason(), c.getReason())).orElse(true));
    }

    /** The condition of this type in {@code next} when it has this reason and its reason or message is new. */
    private static Optional<Condition> newlyReported(LearningDatabase ldb, LearningDatabaseStatus next, String type,
            String reason) {
        var before = Optional.ofNullable(ldb.getStatus()).flatMap(st -> Conditions.find(st.getConditions(), type));
        return Conditions.find(next.getConditions(), type)
                .filter(c -> reason.equals(c.getReason()))
                .filter(c -> before.map(b -> !Objects.equals(b.getReason(), c.getReason())
                        || !Objects.equals(b.getMessage(), c.getMessage())).orElse(true));
    }

    private void recordReadyTransition(LearningDatabase ldb, LearningDatabaseStatus next) {
        var before = Optional.ofNullable(ldb.getStatus()).flatMap(s -> Conditions.find(s.getConditions(), Conditions.READY));
        var after = Conditions.find(next.getConditions(), Conditions.READY).orElseThrow();
        boolean changed = before.map(b -> !Objects.equals(b.getStatus(), after.getStatus())
                || !Objects.equals(b.getReason(), after.getReason())).orElse(true);
        if (!changed) {
            return;
        }
        boolean ready = "True".equals(after.getStatus());
        if (before.isEmpty() && !ready && !isFailure(after)) {
            return; // a new cluster starts not ready: nothing worth an event yet
        }
        events.record(ldb, ready ? EventRecorder.NORMAL : EventRecorder.WARNING, after.getReason(), after.getMessage());
        LOG.infof("%s/%s: Ready=%s %s: %s", ldb.getMetadata().getNamespace(), ldb.getMetadata().getName(),
                after.getStatus(), after.getReason(), after.getMessage());
    }

    private static boolean isFailure(Condition c) {
        return List.of("InvalidSpec", "InitSQLNotFound", "TLSSecretNotFound", "ReconcileError").contains(c.getReason());
    }

    /**
     * Write status only when it differs from what is stored: no write at steady state. The write is a status update
     * locked to the resourceVersion this reconcile read: had JOSDK patched it without a lock, a spec change made
     * meanwhile could be hidden (JOSDK filters the event of its own write and drops the older event of the spec
     * change), and the new generation would never be reconciled. On a conflict this reconcile starts over.
     */
    private static UpdateControl<LearningDatabase> publish(LearningDatabase ldb, LearningDatabaseStatus next,
            Context<LearningDatabase> context) {
        if (ldb.getStatus() != null && Serialization.asJson(ldb.getStatus()).equals(Serialization.asJson(next))) {
            return UpdateControl.noUpdate();
        }
        if (LOG.isDebugEnabled()) {
            LOG.debugf("%s/%s status changes:\n  from %s\n  to   %s", ldb.getMetadata().getNamespace(),
                    ldb.getMetadata().getName(), Serialization.asJson(ldb.getStatus()), Serialization.asJson(next));
        }
        ldb.setStatus(next);
        try {
            context.resourceOperations().resourcePatch(ldb, r -> context.getClient().resource(r).updateStatus(),
                    context.eventSourceRetriever().getControllerEventSource());
            return UpdateControl.noUpdate();
        } catch (KubernetesClientException e) {
            if (e.getCode() != 409) {
                throw e;
            }
            LOG.debugf("%s/%s changed while it was reconciled: reconciling the new version", ldb.getMetadata().getNamespace(),
                    ldb.getMetadata().getName());
            return UpdateControl.<LearningDatabase> noUpdate().rescheduleAfter(Duration.ofMillis(100));
        }
    }
}
