package io.learningdb.operator.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class ReportSpec {

    @JsonPropertyDescription("When the performance report runs (5-field cron); weekly by default, Monday 06:00.")
    @Size(max = 100)
    @Pattern(Cron.PATTERN)
    @Default("\"0 6 * * 1\"")
    private String schedule = "0 6 * * 1";

    @JsonPropertyDescription("IANA time zone of the schedule; the controller's when unset.")
    @Size(max = 64)
    @Pattern(Cron.TIME_ZONE_PATTERN)
    private String timeZone;

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
}
