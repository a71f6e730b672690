package io.learningdb.operator.model;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class MaterializedViewsSpec {

    @JsonPropertyDescription("When materialized views are refreshed (5-field cron).")
    @Pattern(Cron.PATTERN)
    @Default("\"*/15 * * * *\"")
    private String schedule = "*/15 * * * *";

    @JsonPropertyDescription("IANA time zone of the schedule; the controller's when unset.")
    @Pattern(Cron.TIME_ZONE_PATTERN)
    private String timeZone;

    @JsonPropertyDescription("Views to refresh, optionally schema-qualified; all materialized views of the application "
            + "database when empty. Always refreshed in dependency order, CONCURRENTLY when the view has a usable "
            + "unique index.")
    @Size(max = 200)
    private List<@Pattern("^([a-z_][a-z0-9_]{0,62}\\.)?[a-z_][a-z0-9_]{0,62}$") String> views = new ArrayList<>();

    @JsonPropertyDescription("lock_timeout of each refresh, so a refresh never waits long behind the platform's locks.")
    @Pattern("^[1-9][0-9]*(ms|s|min)$")
    @Default("30s")
    private String lockTimeout = "30s";

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

    public List<String> getViews() {
        return views;
    }

    public void setViews(List<String> views) {
        this.views = views;
    }

    public String getLockTimeout() {
        return lockTimeout;
    }

    public void setLockTimeout(String lockTimeout) {
        this.lockTimeout = lockTimeout;
    }
}
