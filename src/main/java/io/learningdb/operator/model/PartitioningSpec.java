package io.learningdb.operator.model;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class PartitioningSpec {

    @JsonPropertyDescription("When partition rollover runs (5-field cron). Rollover is idempotent; running it daily "
            + "means a failed run is retried the next day, long before premade partitions run out.")
    @Pattern(Cron.PATTERN)
    @Default("\"15 3 * * *\"")
    private String schedule = "15 3 * * *";

    @JsonPropertyDescription("IANA time zone of the schedule (the CronJob's timeZone); the controller's when unset. "
            + "Partition boundaries are always UTC.")
    @Pattern(Cron.TIME_ZONE_PATTERN)
    private String timeZone;

    @JsonPropertyDescription("Range-partitioned tables to roll over.")
    @Required
    @Size(min = 1, max = 50)
    @ValidationRule(value = "self.all(t, self.exists_one(u, u.table == t.table))", message = "each table may be listed once")
    private List<PartitionedTable> tables = new ArrayList<>();

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

    public List<PartitionedTable> getTables() {
        return tables;
    }

    public void setTables(List<PartitionedTable> tables) {
        this.tables = tables;
    }
}
