package io.learningdb.operator.status;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;
import io.learningdb.operator.model.LearningDatabase;
import io.learningdb.operator.model.LearningDatabaseStatus;
import io.learningdb.operator.model.MaintenanceTaskStatus;
import io.learningdb.operator.resources.MaintenanceCronJob;
import io.learningdb.operator.resources.MaintenanceTask;

/**
 * Maintenance in status, from the CronJobs, their Jobs and the Jobs' pods: per task the last schedule, success and
 * failure (with the end of the failed job's log), and the MaintenanceHealthy condition. Times are kept when the
 * Jobs that showed them are cleaned up. Pure.
 */
public final class MaintenanceHealth {

    static final int MESSAGE_LIMIT = 600;

    private MaintenanceHealth() {
    }

    public static void apply(LearningDatabase ldb, LearningDatabaseStatus previous, LearningDatabaseStatus next,
            List<CronJob> cronJobs, List<Job> jobs, List<Pod> pods, Instant now) {
        Map<String, MaintenanceTaskStatus> before = Optional.ofNullable(previous.getMaintenance()).orElse(List.of())
                .stream().collect(Collectors.toMap(MaintenanceTaskStatus::getTask, Function.identity(), (a, b) -> a));
        var tasks = new ArrayList<MaintenanceTaskStatus>();
        var failing = new ArrayList<String>();
        for (MaintenanceTask task : MaintenanceTask.values()) {
            var schedule = task.schedule(ldb);
            if (schedule.isEmpty()) {
                continue;
            }
            var was = Optional.ofNullable(before.get(task.id()));
            var s = new MaintenanceTaskStatus();
            s.setTask(task.id());
            s.setCronJob(task.cronJobName(ldb));
            s.setSchedule(schedule.get().cron() + (schedule.get().timeZone() != null ? " " + schedule.get().timeZone() : ""));
            var cronJob = cronJobs.stream().filter(c -> task.cronJobName(ldb).equals(c.getMetadata().getName())).findFirst();
            var taskJobs = jobs.stream()
                    .filter(j -> task.id().equals(j.getMetadata().getLabels().get(MaintenanceCronJob.TASK_LABEL))).toList();

            s.setLastScheduleTime(latest(was.map(MaintenanceTaskStatus::getLastScheduleTime).orElse(null),
                    cronJob.map(c -> c.getStatus() == null ? null : c.getStatus().getLastScheduleTime()).orElse(null)));
            String succeeded = taskJobs.stream().map(j -> conditionTime(j, "Complete")).filter(Objects::nonNull)
                    .max(Comparator.naturalOrder()).orElse(null);
            s.setLastSuccessTime(latest(was.map(MaintenanceTaskStatus::getLastSuccessTime).orElse(null), latest(succeeded,
                    cronJob.map(c -> c.getStatus() == null ? null : c.getStatus().getLastSuccessfulTime()).orElse(null))));
            var failedJob = taskJobs.stream().filter(j -> conditionTime(j, "Failed") != null)
                    .max(Comparator.comparing(j -> conditionTime(j, "Failed")));
            String failedAt = failedJob.map(j -> conditionTime(j, "Failed")).orElse(null);
            String lastFailure = was.map(MaintenanceTaskStatus::getLastFailureTime).orElse(null);
            if (failedAt != null && (lastFailure == null || failedAt.compareTo(lastFailure) > 0)) {
                s.setLastFailureTime(failedAt);
                s.setLastFailureMessage(failureMessage(failedJob.get(), pods));
            } else {
                s.setLastFailureTime(lastFailure);
                s.setLastFailureMessage(was.map(MaintenanceTaskStatus::getLastFailureMessage).orElse(null));
            }
            if (s.getLastFailureTime() != null
                    && (s.getLastSuccessTime() == null || s.getLastFailureTime().compareTo(s.getLastSuccessTime()) > 0)) {
                failing.add(task.id() + ": " + s.getLastFailureMessage());
            }
            tasks.add(s);
        }
        next.setMaintenance(tasks.isEmpty() ? null : tasks);
        long generation = next.getObservedGeneration();
        if (tasks.isEmpty()) {
            next.getConditions().removeIf(c -> Conditions.MAINTENANCE_HEALTHY.equals(c.getType()));
        } else if (failing.isEmpty()) {
            Conditions.set(next.getConditions(), previous.getConditions(), Conditions.MAINTENANCE_HEALTHY, true,
                    "MaintenanceSucceeding", "no maintenance task's latest run failed ("
                            + tasks.stream().map(MaintenanceTaskStatus::getTask).collect(Collectors.joining(", ")) + ")",
                    generation, now);
        } else {
            Conditions.set(next.getConditions(), previous.getConditions(), Conditions.MAINTENANCE_HEALTHY, false,
                    "MaintenanceJobFailed", String.join("\n", failing), generation, now);
        }
    }

    /** Tasks whose latest failure is new since the previous status: (task, message). */
    public static List<String[]> newFailures(LearningDatabaseStatus previous, LearningDatabaseStatus next) {
        Map<String, String> before = Optional.ofNullable(previous).map(LearningDatabaseStatus::getMaintenance).orElse(List.of())
                .stream().filter(t -> t.getLastFailureTime() != null)
                .collect(Collectors.toMap(MaintenanceTaskStatus::getTask, MaintenanceTaskStatus::getLastFailureTime, (a, b) -> a));
        var result = new ArrayList<String[]>();
        for (var t : Optional.ofNullable(next.getMaintenance()).orElse(List.of())) {
            if (t.getLastFailureTime() != null && !t.getLastFailureTime().equals(before.get(t.getTask()))) {
                result.add(new String[] { t.getTask(), t.getLastFailureMessage() });
            }
        }
        return result;
    }

    private static String failureMessage(Job job, List<Pod> pods) {
        String name = job.getMetadata().getName();
        String log = pods.stream()
                .filter(p -> name.equals(p.getMetadata().getLabels().get("job-name")))
                .filter(p -> p.getStatus() != null && p.getStatus().getContainerStatuses() != null)
                .flatMap(p -> p.getStatus().getContainerStatuses().stream())
                .map(cs -> cs.getState() != null && cs.getState().getTerminated() != null
                        ? cs.getState().getTerminated().getMessage() : null)
                .filter(Objects::nonNull)
                .reduce((a, b) -> b).orElse(null);
        String detail = log != null ? excerpt(log)
                : job.getStatus().getConditions().stream().filter(c -> "Failed".equals(c.getType()))
                        .map(c -> c.getReason() + ": " + c.getMessage()).findFirst().orElse("failed");
        return "job " + name + " failed: " + detail;
    }

    /** The error part of a job's log (psql's, pgBackRest's): from the first ERROR on, bounded. */
    static String excerpt(String log) {
        int at = log.indexOf("ERROR:");
        String text = (at >= 0 ? log.substring(at) : log).strip();
        if (at < 0 && text.length() > MESSAGE_LIMIT) {
            text = text.substring(text.length() - MESSAGE_LIMIT);
        }
        return text.length() > MESSAGE_LIMIT ? text.substring(0, MESSAGE_LIMIT) + " ..." : text;
    }

    /** When a Job's condition of this type (Complete, Failed) became true; null if it is not. */
    static String conditionTime(Job job, String type) {
        if (job.getStatus() == null || job.getStatus().getConditions() == null) {
            return null;
        }
        return job.getStatus().getConditions().stream()
                .filter(c -> type.equals(c.getType()) && "True".equals(c.getStatus()))
                .map(JobCondition::getLastTransitionTime).filter(Objects::nonNull).findFirst().orElse(null);
    }

    /** The later of two RFC 3339 UTC timestamps (string order is time order for Kubernetes' format). */
    private static String latest(String a, String b) {
        if (a == null) {
            return b;
        }
        if (b == null) {
            return a;
        }
        return a.compareTo(b) >= 0 ? a : b;
    }
}
