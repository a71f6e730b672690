package io.learningdb.operator.reconciler;

import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.learningdb.operator.model.InstanceStatus;
import io.learningdb.operator.model.LearningDatabase;
import io.learningdb.operator.model.LearningDatabaseStatus;
import io.learningdb.operator.model.MajorUpgradeStatus;
import io.learningdb.operator.resources.UpgradeJob;
import io.learningdb.operator.status.StatusAggregator;

/**
 * The major upgrade as a pure decision over what is observed, recorded in status.majorUpgrade before anything is done
 * (an operator restart or a conflicting write resumes it, never starts it twice):
 * <ol>
 * <li>held while spec.postgres.version is above the major the data is on and nothing approves it: annotation
 * {@value #APPROVAL_ANNOTATION} naming the new major, or a backup completed in the last 24 hours; or while the primary
 * is not ready or a switchover is under way;</li>
 * <li>Stopping: the StatefulSet goes to 0 (no failover, switchover or rolling restart meanwhile);</li>
 * <li>Upgrading: once no instance pod is left, Job {@code <name>-upgrade-<to>} runs upgrade.sh on the primary's
 * volume;</li>
 * <li>Starting: the Job succeeded: the data is on the new major, its new system identifier is recorded, the instances
 * start on the new image (replicas re-clone);</li>
 * <li>Completed once the primary is ready on the new image; Failed when the Job failed: the instances start again on
 * the old image (upgrade.sh leaves the old cluster as it was; instance.sh refuses a data directory of another major,
 * so a wrong image never serves). A failed upgrade is tried again only on a new approval (another annotation value,
 * or a backup completed after the failure).</li>
 * </ol>
 */
public final class MajorUpgrades {

    public static final String APPROVAL_ANNOTATION = "learningdb.io/approve-major-upgrade";
    public static final String STOPPING = MajorUpgradeStatus.STOPPING;
    public static final String UPGRADING = MajorUpgradeStatus.UPGRADING;
    public static final String STARTING = MajorUpgradeStatus.STARTING;
    public static final String COMPLETED = MajorUpgradeStatus.COMPLETED;
    public static final String FAILED = MajorUpgradeStatus.FAILED;
    /** Progressing / SpecApplied reasons. */
    public static final String REASON_UPGRADING = "MajorUpgrade";
    public static final String REASON_HELD = "MajorUpgradeHeld";
    public static final String REASON_FAILED = "MajorUpgradeFailed";
    static final Duration RECENT_BACKUP = Duration.ofHours(24);
    private static final Set<String> UNDER_WAY = Set.of(STOPPING, UPGRADING, STARTING);
    private static final Pattern SYSTEM_IDENTIFIER = Pattern.compile("system identifier (\\d+)");

    private MajorUpgrades() {
    }

    /** What the cluster is observed to be, for the decision. */
    public record Observed(List<Pod> instances, Optional<Job> job, List<Pod> jobPods, String runningImage,
            String newImage, Optional<Instant> lastBackup, Instant now) {
    }

    /** The next status.majorUpgrade (null: none) and what to do. */
    public record Decision(MajorUpgradeStatus next, Action action, String held, String event) {
        static Decision none(MajorUpgradeStatus current) {
            return new Decision(current, Action.NONE, null, null);
        }
    }

    public enum Action {
        NONE, CREATE_JOB
    }

    /** The major the data is on: recorded in status, else what the instances report, else the spec's. */
    public static int servedMajor(LearningDatabase ldb) {
        var status = ldb.getStatus();
        if (status != null && status.getPostgresVersion() != null) {
            return status.getPostgresVersion();
        }
        if (status != null && status.getInstances() != null) {
            var reported = status.getInstances().stream().map(InstanceStatus::getVersion)
                    .map(MajorUpgrades::majorOf).flatMap(Optional::stream).min(Comparator.naturalOrder());
            if (reported.isPresent()) {
                return reported.get();
            }
        }
        return ldb.getSpec().getPostgres().getVersion();
    }

    static Optional<Integer> majorOf(String serverVersion) {
        if (serverVersion == null) {
            return Optional.empty();
        }
        var m = Pattern.compile("^(\\d+)").matcher(serverVersion.strip());
        return m.find() ? Optional.of(Integer.parseInt(m.group(1))) : Optional.empty();
    }

    public static Optional<MajorUpgradeStatus> record(LearningDatabase ldb) {
        return Optional.ofNullable(ldb.getStatus()).map(LearningDatabaseStatus::getMajorUpgrade);
    }

    /** Stopping, Upgrading or Starting: no failover, switchover or rolling restart acts meanwhile. */
    public static boolean underWay(LearningDatabase ldb) {
        return record(ldb).map(MajorUpgrades::underWay).orElse(false);
    }

    /** The same for one record (null: none). */
    public static boolean underWay(MajorUpgradeStatus upgrade) {
        return upgrade != null && UNDER_WAY.contains(upgrade.getPhase());
    }

    /**
     * The instances' image: the old one while they stop and the Job runs, the new one from the Job's success on. While
     * a raise waits (held, or failed), the image of the major the data is on ({@code served}, the catalogue's: its
     * minor updates still roll) — or, with an image of the user's own in the spec (which names the new major), the
     * one running now.
     */
    public static String instanceImage(LearningDatabase ldb, String desired, Optional<String> running, String served) {
        var r = record(ldb).orElse(null);
        if (r != null && STARTING.equals(r.getPhase()) && r.getToImage() != null) {
            return r.getToImage();
        }
        if (r != null && (STOPPING.equals(r.getPhase()) || UPGRADING.equals(r.getPhase())) && r.getFromImage() != null) {
            return r.getFromImage();
        }
        if (ldb.getSpec().getPostgres().getVersion() > servedMajor(ldb)) {
            String own = ldb.getSpec().getPostgres().getImage();
            return own != null && !own.isBlank() ? running.orElse(served) : served;
        }
        return desired;
    }

    /** The approval annotation's value when it names {@code major} ("16", or "16-…" to approve again). */
    static Optional<String> approval(LearningDatabase ldb, int major) {
        var annotations = ldb.getMetadata().getAnnotations();
        String value = annotations == null ? null : annotations.get(APPROVAL_ANNOTATION);
        if (value == null) {
            return Optional.empty();
        }
        String v = value.strip();
        return v.equals(Integer.toString(major)) || v.startsWith(major + "-") ? Optional.of(v) : Optional.empty();
    }

    public static Decision decide(LearningDatabase ldb, Observed o) {
        var status = Optional.ofNullable(ldb.getStatus()).orElseGet(LearningDatabaseStatus::new);
        var current = status.getMajorUpgrade();
        if (current != null && UNDER_WAY.contains(current.getPhase())) {
            return proceed(current, o);
        }
        int served = servedMajor(ldb);
        int wanted = ldb.getSpec().getPostgres().getVersion();
        if (wanted <= served) {
            return Decision.none(current);
        }
        Optional<String> approvedBy = approval(ldb, wanted)
                .or(() -> o.lastBackup().filter(at -> at.isAfter(o.now().minus(RECENT_BACKUP)))
                        .map(at -> "backup " + at));
        if (current != null && FAILED.equals(current.getPhase()) && current.getTo() == wanted
                && approvedBy.map(a -> a.equals(current.getApprovedBy())).orElse(true)) {
            return new Decision(current, Action.NONE, "the upgrade to " + wanted + " failed (" + current.getMessage()
                    + "); the cluster serves PostgreSQL " + served + " again. To try again: fix the cause, then set "
                    + APPROVAL_ANNOTATION + " to a new value (e.g. " + wanted + "-retry) or take a new backup", null);
        }
        if (approvedBy.isEmpty()) {
            return new Decision(current, Action.NONE, "postgres.version " + wanted + " is above the " + served
                    + " the data is on: a major upgrade stops every instance while pg_upgrade runs (minutes: --link), "
                    + "so it waits for approval: annotate " + APPROVAL_ANNOTATION + "=" + wanted
                    + ", or take a backup first (one completed in the last 24 hours approves it)", null);
        }
        String primary = status.getPrimary();
        boolean primaryReady = primary != null && o.instances().stream()
                .anyMatch(p -> primary.equals(p.getMetadata().getName()) && StatusAggregator.isReady(p));
        if (!primaryReady || status.getTargetPrimary() != null) {
            return new Decision(current, Action.NONE, "the upgrade to " + wanted + " is approved and waits for a ready "
                    + "primary with no switchover under way", null);
        }
        var start = new MajorUpgradeStatus();
        start.setFrom(served);
        start.setTo(wanted);
        start.setPhase(STOPPING);
        start.setPrimary(primary);
        start.setFromImage(o.runningImage());
        start.setToImage(o.newImage());
        start.setApprovedBy(approvedBy.get());
        start.setStartedAt(o.now().toString());
        return new Decision(start, Action.NONE, null, "upgrading PostgreSQL " + served + " to " + wanted
                + " (approved by " + approvedBy.get() + "): stopping every instance; pg_upgrade --link then runs on "
                + primary + "'s volume, the replicas are cloned again afterwards");
    }

    private static Decision proceed(MajorUpgradeStatus current, Observed o) {
        var next = new MajorUpgradeStatus(current);
        switch (current.getPhase()) {
            case STOPPING -> {
                if (!o.instances().isEmpty()) {
                    next.setMessage("stopping " + o.instances().size() + " instance(s)");
                    return Decision.none(next);
                }
                next.setPhase(UPGRADING);
                next.setMessage("job running pg_upgrade on " + current.getPrimary() + "'s volume");
                return new Decision(next, Action.CREATE_JOB, null, "every instance stopped: pg_upgrade runs on "
                        + current.getPrimary() + "'s volume");
            }
            case UPGRADING -> {
                if (o.job().isEmpty()) {
                    return new Decision(next, Action.CREATE_JOB, null, null);
                }
                var jobStatus = o.job().get().getStatus();
                if (jobStatus != null && jobStatus.getSucceeded() != null && jobStatus.getSucceeded() > 0) {
                    next.setPhase(STARTING);
                    next.setMessage("instances starting on PostgreSQL " + current.getTo() + "; replicas clone again");
                    return new Decision(next, Action.NONE, null, "pg_upgrade completed: " + terminationMessage(o.jobPods(),
                            "Succeeded").orElse("upgraded") + "; starting the instances on " + current.getToImage());
                }
                if (failed(o.job().get())) {
                    next.setPhase(FAILED);
                    next.setFinishedAt(o.now().toString());
                    next.setMessage(terminationMessage(o.jobPods(), "Failed").orElse("job failed")
                            .lines().reduce((a, b) -> b).orElse("job failed"));
                    return new Decision(next, Action.NONE, null, null);
                }
                return Decision.none(next);
            }
            case STARTING -> {
                boolean primaryReady = o.instances().stream()
                        .anyMatch(p -> current.getPrimary().equals(p.getMetadata().getName()) && StatusAggregator.isReady(p)
                                && p.getSpec().getContainers().stream().anyMatch(c -> current.getToImage().equals(c.getImage())));
                if (!primaryReady) {
                    return Decision.none(next);
                }
                next.setPhase(COMPLETED);
                next.setFinishedAt(o.now().toString());
                next.setMessage(null);
                return new Decision(next, Action.NONE, null, "major upgrade to PostgreSQL " + current.getTo()
                        + " completed: " + current.getPrimary() + " serves it; the replicas clone from it");
            }
            default -> {
                return Decision.none(current);
            }
        }
    }

    private static boolean failed(Job job) {
        return job.getStatus() != null && job.getStatus().getConditions() != null && job.getStatus().getConditions().stream()
                .anyMatch(c -> "Failed".equals(c.getType()) && "True".equals(c.getStatus()));
    }

    /** The upgrade container's termination message of the newest pod in {@code phase}. */
    static Optional<String> terminationMessage(List<Pod> jobPods, String phase) {
        return jobPods.stream()
                .filter(p -> p.getStatus() != null && phase.equals(p.getStatus().getPhase()))
                .max(Comparator.comparing(p -> Optional.ofNullable(p.getMetadata().getCreationTimestamp()).orElse("")))
                .flatMap(p -> Optional.ofNullable(p.getStatus().getContainerStatuses()).orElse(List.of()).stream()
                        .filter(c -> UpgradeJob.CONTAINER.equals(c.getName())).findFirst())
                .map(ContainerStatus::getState)
                .filter(s -> s.getTerminated() != null && s.getTerminated().getMessage() != null)
                .map(s -> s.getTerminated().getMessage().strip());
    }

    /** The new cluster's system identifier, as upgrade.sh reports it in its termination message. */
    static Optional<String> systemIdentifier(List<Pod> jobPods) {
        return terminationMessage(jobPods, "Succeeded").map(SYSTEM_IDENTIFIER::matcher).filter(java.util.regex.Matcher::find)
                .map(m -> m.group(1));
    }
}
