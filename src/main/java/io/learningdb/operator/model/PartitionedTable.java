package io.learningdb.operator.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class PartitionedTable {

    @JsonPropertyDescription("The partitioned table, optionally schema-qualified (public when not), e.g. "
            + "public.analytics_events. Partitions are named <table>_YYYY_MM (monthly) or <table>_YYYY_MM_DD (daily).")
    @Required
    @Pattern("^([a-z_][a-z0-9_]{0,62}\\.)?[a-z_][a-z0-9_]{0,51}$")
    @Size(max = 116)
    private String table;

    @JsonPropertyDescription("The range partition key column (timestamptz, timestamp or date).")
    @Required
    @Pattern("^[a-z_][a-z0-9_]{0,62}$")
    @Size(max = 63)
    private String column;

    @JsonPropertyDescription("Size of one partition: monthly or daily.")
    @Default("monthly")
    private Interval interval = Interval.MONTHLY;

    @JsonPropertyDescription("Future partitions kept ready beyond the current one.")
    @Min(1)
    @Max(36)
    @Default("3")
    private int premake = 3;

    @JsonPropertyDescription("How many whole intervals before the current one to keep; older partitions are retired. "
            + "Unset: keep everything.")
    @Min(1)
    @Max(3650)
    private Integer retention;

    @JsonPropertyDescription("What retiring a partition means: detach (default; the table and its rows stay, outside "
            + "the partitioned table) or drop (the rows are deleted: an explicit choice).")
    @Default("detach")
    private RetentionPolicy retentionPolicy = RetentionPolicy.DETACH;

    public enum Interval {
        @JsonProperty("monthly")
        MONTHLY,
        @JsonProperty("daily")
        DAILY
    }

    public enum RetentionPolicy {
        @JsonProperty("detach")
        DETACH,
        @JsonProperty("drop")
        DROP
    }

    public String getTable() {
        return table;
    }

    public void setTable(String table) {
        this.table = table;
    }

    public String getColumn() {
        return column;
    }

    public void setColumn(String column) {
        this.column = column;
    }

    public Interval getInterval() {
        return interval;
    }

    public void setInterval(Interval interval) {
        this.interval = interval;
    }

    public int getPremake() {
        return premake;
    }

    public void setPremake(int premake) {
        this.premake = premake;
    }

    public Integer getRetention() {
        return retention;
    }

    public void setRetention(Integer retention) {
        this.retention = retention;
    }

    public RetentionPolicy getRetentionPolicy() {
        return retentionPolicy;
    }

    public void setRetentionPolicy(RetentionPolicy retentionPolicy) {
        this.retentionPolicy = retentionPolicy;
    }
}
