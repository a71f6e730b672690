package io.learningdb.operator.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/** Continuous WAL archiving and scheduled base backups with pgBackRest into an S3-compatible object store. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class BackupSpec {

    @JsonPropertyDescription("Where the repository lives. The cluster writes only under <path>/<namespace>/<name>.")
    @Required
    private ObjectStoreSpec store;

    @JsonPropertyDescription("When a full base backup is taken (5-field cron).")
    @Size(max = 100)
    @Pattern(Cron.PATTERN)
    @Default("\"0 3 * * *\"")
    private String schedule = "0 3 * * *";

    @JsonPropertyDescription("IANA time zone of the schedule; the controller's when unset.")
    @Size(max = 64)
    @Pattern(Cron.TIME_ZONE_PATTERN)
    private String timeZone;

    @JsonPropertyDescription("How many backups are kept (by count or by age).")
    private BackupRetention retention;

    @JsonPropertyDescription("Compression of backups and archived WAL.")
    @Default("lz4")
    private Compression compression = Compression.lz4;

    public enum Compression {
        lz4, zst, gz, none
    }

    public ObjectStoreSpec getStore() {
        return store;
    }

    public void setStore(ObjectStoreSpec store) {
        this.store = store;
    }

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

    public BackupRetention getRetention() {
        return retention;
    }

    public void setRetention(BackupRetention retention) {
        this.retention = retention;
    }

    public Compression getCompression() {
        return compression;
    }

    public void setCompression(Compression compression) {
        this.compression = compression;
    }
}
