package io.learningdb.operator.status;

import java.time.Instant;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.learningdb.operator.model.BackupStatus;
import io.learningdb.operator.model.LearningDatabase;
import io.learningdb.operator.model.LearningDatabaseStatus;
import io.learningdb.operator.postgres.ArchiverView;
import io.learningdb.operator.resources.BackupJob;
import io.learningdb.operator.resources.Labels;

/**
 * Backups in status, pure: WAL archiving from the primary's archiver (ContinuousArchiving), base backups from the
 * backup Jobs and the report their pods leave as termination message (BackupsHealthy). What was shown is kept when
 * the Jobs that showed it are cleaned up, or while the primary cannot be measured.
 */
public final class BackupHealth {

    public static final String ARCHIVED = "WALArchived";
    public static final String ARCHIVING_FAILING = "ArchivingFailing";
    public static final String NOT_MEASURED = "NotMeasuredYet";
    public static final String BACKUP_SUCCEEDED = "BackupSucceeded";
    public static final String BACKUP_FAILED = "BackupFailed";
    public static final String NO_BACKUP_YET = "NoBackupYet";

    private BackupHealth() {
    }

    public static void apply(LearningDatabase ldb, LearningDatabaseStatus previous, LearningDatabaseStatus next,
            ArchiverView archiver, List<Job> jobs, List<Pod> pods, Instant now) {
        if (ldb.getSpec().getBackup() == null) {
            next.setBackup(null);
            next.getConditions().removeIf(c -> Conditions.CONTINUOUS_ARCHIVING.equals(c.getType())
                    || Conditions.BACKUPS_HEALTHY.equals(c.getType()));
            return;
        }
        var was = Optional.ofNullable(previous).map(LearningDatabaseStatus::getBackup);
        var b = new BackupStatus();
        was.ifPresent(w -> copy(w, b));
        if (archiver != null) {
            b.setLastArchivedWAL(archiver.lastArchivedWal());
            b.setLastArchivedAt(time(archiver.lastArchivedAt()));
            b.setLastFailedWAL(archiver.lastFailedWal());
            b.setLastFailedAt(time(archiver.lastFailedAt()));
            if (archiver.failing()) {
                b.setLastFailure(archiver.failure() != null ? archiver.failure()
                        : "no reason from pgBackRest yet (an unreachable store is retried until archive-timeout; see the "
                                + "primary's log)");
            }
        }
        String lastFailedBackup = applyJobs(b, jobs, pods);
        next.setBackup(b);

        var conditions = next.getConditions();
        var before = Optional.ofNullable(previous).map(LearningDatabaseStatus::getConditions).orElse(List.of());
        long generation = next.getObservedGeneration() == null ? 0 : next.getObservedGeneration();
        boolean failing = archiver != null ? archiver.failing()
                : b.getLastFailedAt() != null && (b.getLastArchivedAt() == null || b.getLastFailedAt().compareTo(b.getLastArchivedAt()) > 0);
        if (failing) {
            Conditions.set(conditions, before, Conditions.CONTINUOUS_ARCHIVING, false, ARCHIVING_FAILING,
                    "WAL " + b.getLastFailedWAL() + " not archived (last try " + b.getLastFailedAt() + "): " + b.getLastFailure()
                            + ". PostgreSQL keeps the WAL until it is archived: watch the volume's free space.",
                    generation, now);
        } else if (b.getLastArchivedAt() != null) {
            Conditions.set(conditions, before, Conditions.CONTINUOUS_ARCHIVING, true, ARCHIVED,
                    "WAL is archived; last segment " + b.getLastArchivedWAL() + " at " + b.getLastArchivedAt(), generation, now);
        } else {
            Conditions.set(conditions, before, Conditions.CONTINUOUS_ARCHIVING, Conditions.UNKNOWN, NOT_MEASURED,
                    "no WAL segment archived yet", generation, now);
        }
        if (lastFailedBackup != null) {
            Conditions.set(conditions, before, Conditions.BACKUPS_HEALTHY, false, BACKUP_FAILED, lastFailedBackup, generation, now);
        } else if (b.getLastBackup() != null) {
            Conditions.set(conditions, before, Conditions.BACKUPS_HEALTHY, true, BACKUP_SUCCEEDED,
                    "last base backup " + b.getLastBackup().getName() + " completed at " + b.getLastBackup().getCompletedAt()
                            + "; recoverable from " + b.getFirstRecoverabilityPoint(), generation, now);
        } else {
            Conditions.set(conditions, before, Conditions.BACKUPS_HEALTHY, Conditions.UNKNOWN, NO_BACKUP_YET,
                    "no base backup yet (schedule " + ldb.getSpec().getBackup().getSchedule()
                            + "; annotate " + BackupJob.REQUEST_ANNOTATION + " to take one now)", generation, now);
        }
    }

    /**
     * The newest successful backup Job's report becomes lastBackup; returns a message when a backup Job failed after
     * the last one that succeeded.
     */
    static String applyJobs(BackupStatus b, List<Job> jobs, List<Pod> pods) {
        var backupJobs = jobs.stream()
                .filter(j -> Labels.COMPONENT_BACKUP.equals(j.getMetadata().getLabels().get(Labels.COMPONENT))).toList();
        Optional<Job> succeeded = backupJobs.stream().filter(j -> MaintenanceHealth.conditionTime(j, "Complete") != null)
                .max(Comparator.comparing(j -> MaintenanceHealth.conditionTime(j, "Complete")));
        succeeded.flatMap(j -> terminationMessage(j, pods)).map(BackupHealth::report).ifPresent(report -> {
            var last = lastBackup(report);
            // labels are times (YYYYMMDD-HHMMSSF): a report older than what status shows changes nothing
            if (last != null && (b.getLastBackup() == null || last.getName().compareTo(b.getLastBackup().getName()) >= 0)) {
                b.setLastBackup(last);
                b.setBackups(parseInt(report.get("backups")));
                b.setFirstRecoverabilityPoint(epoch(report.get("firstRecoverable")));
            }
        });
        String lastSuccess = succeeded.map(j -> MaintenanceHealth.conditionTime(j, "Complete")).orElse(null);
        Optional<Job> failed = backupJobs.stream().filter(j -> MaintenanceHealth.conditionTime(j, "Failed") != null)
                .filter(j -> lastSuccess == null || MaintenanceHealth.conditionTime(j, "Failed").compareTo(lastSuccess) > 0)
                .max(Comparator.comparing(j -> MaintenanceHealth.conditionTime(j, "Failed")));
        return failed.map(j -> "job " + j.getMetadata().getName() + " failed at " + MaintenanceHealth.conditionTime(j, "Failed") + ": "
                + terminationMessage(j, pods).map(MaintenanceHealth::excerpt).orElseGet(() -> j.getStatus().getConditions().stream()
                        .filter(c -> "Failed".equals(c.getType())).map(c -> c.getReason() + ": " + c.getMessage())
                        .findFirst().orElse("failed")))
                .orElse(null);
    }

    /** backup.sh's report: key=value lines. */
    static Map<String, String> report(String text) {
        var map = new LinkedHashMap<String, String>();
        text.lines().map(String::strip).filter(l -> l.matches("[A-Za-z]+=.*"))
                .forEach(l -> map.put(l.substring(0, l.indexOf('=')), l.substring(l.indexOf('=') + 1)));
        return map;
    }

    static BackupStatus.BaseBackupStatus lastBackup(Map<String, String> report) {
        if (report.get("backup") == null || report.get("completed") == null) {
            return null;
        }
        var last = new BackupStatus.BaseBackupStatus();
        last.setName(report.get("backup"));
        last.setType(report.get("type"));
        last.setStartedAt(epoch(report.get("started")));
        last.setCompletedAt(epoch(report.get("completed")));
        Long started = parseLong(report.get("started"));
        Long completed = parseLong(report.get("completed"));
        last.setDurationSeconds(started != null && completed != null ? completed - started : null);
        Long size = parseLong(report.get("size"));
        last.setSize(size == null ? null : human(size));
        last.setRepositoryBytes(parseLong(report.get("repositoryBytes")));
        return last;
    }

    static String human(long bytes) {
        String[] units = { "B", "KiB", "MiB", "GiB", "TiB" };
        double v = bytes;
        int u = 0;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return u == 0 ? bytes + "B" : String.format(java.util.Locale.ROOT, "%.1f%s", v, units[u]);
    }

    private static Optional<String> terminationMessage(Job job, List<Pod> pods) {
        String name = job.getMetadata().getName();
        return pods.stream()
                .filter(p -> name.equals(p.getMetadata().getLabels().get("job-name")))
                .filter(p -> p.getStatus() != null && p.getStatus().getContainerStatuses() != null)
                .flatMap(p -> p.getStatus().getContainerStatuses().stream())
                .filter(cs -> BackupJob.CONTAINER.equals(cs.getName()))
                .map(cs -> cs.getState() != null && cs.getState().getTerminated() != null
                        ? cs.getState().getTerminated().getMessage() : null)
                .filter(Objects::nonNull)
                .reduce((a, c) -> c);
    }

    private static void copy(BackupStatus from, BackupStatus to) {
        to.setLastBackup(from.getLastBackup());
        to.setFirstRecoverabilityPoint(from.getFirstRecoverabilityPoint());
        to.setBackups(from.getBackups());
        to.setLastArchivedWAL(from.getLastArchivedWAL());
        to.setLastArchivedAt(from.getLastArchivedAt());
        to.setLastFailedWAL(from.getLastFailedWAL());
        to.setLastFailedAt(from.getLastFailedAt());
        to.setLastFailure(from.getLastFailure());
        to.setLastRequest(from.getLastRequest());
        to.setLastRequestJob(from.getLastRequestJob());
    }

    private static String time(Instant t) {
        return t == null ? null : t.truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString();
    }

    private static String epoch(String seconds) {
        Long s = parseLong(seconds);
        return s == null ? null : Instant.ofEpochSecond(s).toString();
    }

    private static Long parseLong(String s) {
        try {
            return s == null ? null : Long.parseLong(s.strip());
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static Integer parseInt(String s) {
        Long l = parseLong(s);
        return l == null ? null : l.intValue();
    }

    /** When the newest base backup completed, for the gauge; empty without one. */
    public static Optional<Instant> lastBackupCompleted(BackupStatus b) {
        if (b == null || b.getLastBackup() == null || b.getLastBackup().getCompletedAt() == null) {
            return Optional.empty();
        }
        return Optional.of(Instant.parse(b.getLastBackup().getCompletedAt()));
    }
}
