package io.learningdb.operator.resources;

import java.util.Optional;

import io.learningdb.operator.model.LearningDatabase;

/** The scheduled maintenance tasks: each a CronJob running one rendered SQL file with psql. */
public enum MaintenanceTask {

    PARTITION_ROLLOVER("partitions", "partition-rollover.sql"),
    REFRESH_VIEWS("views", "refresh-views.sql"),
    VACUUM("vacuum", "vacuum.sql"),
    REPORT("report", "report.sql");

    private final String suffix;
    private final String file;

    MaintenanceTask(String suffix, String file) {
        this.suffix = suffix;
        this.file = file;
    }

    /** Short and stable: the CronJob name is {@code <name>-<id>} (at most 52 characters for a 40-character name). */
    public String id() {
        return suffix;
    }

    public String file() {
        return file;
    }

    public String cronJobName(LearningDatabase ldb) {
        return ldb.getMetadata().getName() + "-" + suffix;
    }

    /** The spec block's schedule and time zone, when the task is enabled. */
    public Optional<Schedule> schedule(LearningDatabase ldb) {
        var spec = ldb.getSpec();
        return switch (this) {
            case PARTITION_ROLLOVER -> Optional.ofNullable(spec.getPartitioning())
                    .map(p -> new Schedule(p.getSchedule(), p.getTimeZone()));
            case REFRESH_VIEWS -> Optional.ofNullable(spec.getMaterializedViews())
                    .map(m -> new Schedule(m.getSchedule(), m.getTimeZone()));
            case VACUUM -> Optional.ofNullable(spec.getMaintenance()).map(m -> m.getVacuum())
                    .map(v -> new Schedule(v.getSchedule(), v.getTimeZone()));
            case REPORT -> Optional.ofNullable(spec.getMaintenance()).map(m -> m.getReport())
                    .map(r -> new Schedule(r.getSchedule(), r.getTimeZone()));
        };
    }

    public boolean enabled(LearningDatabase ldb) {
        return schedule(ldb).isPresent();
    }

    public static Optional<MaintenanceTask> byId(String id) {
        for (MaintenanceTask t : values()) {
            if (t.suffix.equals(id)) {
                return Optional.of(t);
            }
        }
        return Optional.empty();
    }

    public record Schedule(String cron, String timeZone) {
    }
}
