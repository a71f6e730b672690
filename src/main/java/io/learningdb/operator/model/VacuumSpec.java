package io.learningdb.operator.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class VacuumSpec {

    @JsonPropertyDescription("When the vacuum runs (5-field cron).")
    @Pattern(Cron.PATTERN)
    @Default("\"30 2 * * *\"")
    private String schedule = "30 2 * * *";

    @JsonPropertyDescription("IANA time zone of the schedule; the controller's when unset.")
    @Pattern(Cron.TIME_ZONE_PATTERN)
    private String timeZone;

    @JsonPropertyDescription("A table is vacuumed when its dead tuples exceed this fraction of its live tuples.")
    @Min(0)
    @Max(1)
    @Default("0.2")
    private double deadTupleRatio = 0.2;

    @JsonPropertyDescription("... and it has at least this many dead tuples.")
    @Min(0)
    @Default("1000")
    private long minDeadTuples = 1000;

    public String getSchedule() {
        return schedule;
    }

    public void setSchedule(String schedule) {
        this.schedule = schedule;
    }

    public String getTimeZone() {
        return timeZone;
    }

    public void setTimeZone(String timeZone) {
        this.timeZone = timeZone;
    }

    public double getDeadTupleRatio() {
        return deadTupleRatio;
    }

    public void setDeadTupleRatio(double deadTupleRatio) {
        this.deadTupleRatio = deadTupleRatio;
    }

    public long getMinDeadTuples() {
        return minDeadTuples;
    }

    public void setMinDeadTuples(long minDeadTuples) {
        this.minDeadTuples = minDeadTuples;
    }
}
