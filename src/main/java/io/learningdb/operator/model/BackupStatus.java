package io.learningdb.operator.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** What the repository and the primary's archiver say about backups and WAL archiving. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class BackupStatus {

    @JsonPropertyDescription("The newest successful base backup.")
    private BaseBackupStatus lastBackup;

    @JsonPropertyDescription("The earliest time a recovery can target: the start of the oldest kept backup.")
    private String firstRecoverabilityPoint;

    @JsonPropertyDescription("Base backups kept in the repository.")
    private Integer backups;

    @JsonPropertyDescription("The last WAL segment the primary archived, and when.")
    private String lastArchivedWAL;

    @JsonPropertyDescription("When lastArchivedWAL was archived (status follows a busy primary at 5-minute resolution).")
    private String lastArchivedAt;

    @JsonPropertyDescription("The last WAL segment whose archiving failed, when, and why (pgBackRest's message).")
    private String lastFailedWAL;

    @JsonPropertyDescription("When archiving lastFailedWAL last failed.")
    private String lastFailedAt;

    @JsonPropertyDescription("pgBackRest's error code and message for that failure.")
    private String lastFailure;

    @JsonPropertyDescription("The last value of the learningdb.io/backup-request annotation acted on, and its Job.")
    private String lastRequest;

    @JsonPropertyDescription("The Job started for lastRequest.")
    private String lastRequestJob;

    public static class BaseBackupStatus {
        @JsonPropertyDescription("pgBackRest's label of the backup.")
        private String name;
        @JsonPropertyDescription("full, diff or incr.")
        private String type;
        @JsonPropertyDescription("When the backup started.")
        private String startedAt;
        @JsonPropertyDescription("When it completed; a recovery can target any time after it.")
        private String completedAt;
        @JsonPropertyDescription("How long it took, in seconds.")
        private Long durationSeconds;
        @JsonPropertyDescription("Size of the database the backup holds, e.g. 1.2GiB.")
        private String size;
        @JsonPropertyDescription("Bytes the backup added to the repository (compressed; differential/incremental: changes only).")
        private Long repositoryBytes;

        public String getName() {
            return name;
        }

        public void setName(String name) {
            this.name = name;
        }

        public String getType() {
            return type;
        }

        public void setType(String type) {
            this.type = type;
        }

        public String getStartedAt() {
            return startedAt;
        }

        public void setStartedAt(String startedAt) {
            this.startedAt = startedAt;
        }

        public String getCompletedAt() {
            return completedAt;
        }

        public void setCompletedAt(String completedAt) {
            this.completedAt = completedAt;
        }

        public Long getDurationSeconds() {
            return durationSeconds;
        }

        public void setDurationSeconds(Long durationSeconds) {
            this.durationSeconds = durationSeconds;
        }

        public String getSize() {
            return size;
        }

        public void setSize(String size) {
            this.size = size;
        }

        public Long getRepositoryBytes() {
            return repositoryBytes;
        }

        public void setRepositoryBytes(Long repositoryBytes) {
            this.repositoryBytes = repositoryBytes;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof BaseBackupStatus b && java.util.Objects.equals(name, b.name) && java.util.Objects.equals(type, b.type)
                    && java.util.Objects.equals(startedAt, b.startedAt) && java.util.Objects.equals(completedAt, b.completedAt)
                    && java.util.Objects.equals(durationSeconds, b.durationSeconds) && java.util.Objects.equals(size, b.size)
                    && java.util.Objects.equals(repositoryBytes, b.repositoryBytes);
        }

        @Override
        public int hashCode() {
            return java.util.Objects.hash(name, completedAt);
        }
    }

    public BaseBackupStatus getLastBackup() {
        return lastBackup;
    }

    public void setLastBackup(BaseBackupStatus lastBackup) {
        this.lastBackup = lastBackup;
    }

    public String getFirstRecoverabilityPoint() {
        return firstRecoverabilityPoint;
    }

    public void setFirstRecoverabilityPoint(String firstRecoverabilityPoint) {
        this.firstRecoverabilityPoint = firstRecoverabilityPoint;
    }

    public Integer getBackups() {
        return backups;
    }

    public void setBackups(Integer backups) {
        this.backups = backups;
    }

    public String getLastArchivedWAL() {
        return lastArchivedWAL;
    }

    public void setLastArchivedWAL(String lastArchivedWAL) {
        this.lastArchivedWAL = lastArchivedWAL;
    }

    public String getLastArchivedAt() {
        return lastArchivedAt;
    }

    public void setLastArchivedAt(String lastArchivedAt) {
        this.lastArchivedAt = lastArchivedAt;
    }

    public String getLastFailedWAL() {
        return lastFailedWAL;
    }

    public void setLastFailedWAL(String lastFailedWAL) {
        this.lastFailedWAL = lastFailedWAL;
    }

    public String getLastFailedAt() {
        return lastFailedAt;
    }

    public void setLastFailedAt(String lastFailedAt) {
        this.lastFailedAt = lastFailedAt;
    }

    public String getLastFailure() {
        return lastFailure;
    }

    public void setLastFailure(String lastFailure) {
        this.lastFailure = lastFailure;
    }

    public String getLastRequest() {
        return lastRequest;
    }

    public void setLastRequest(String lastRequest) {
        this.lastRequest = lastRequest;
    }

    public String getLastRequestJob() {
        return lastRequestJob;
    }

    public void setLastRequestJob(String lastRequestJob) {
        this.lastRequestJob = lastRequestJob;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof BackupStatus b && java.util.Objects.equals(lastBackup, b.lastBackup)
                && java.util.Objects.equals(firstRecoverabilityPoint, b.firstRecoverabilityPoint)
                && java.util.Objects.equals(backups, b.backups)
                && java.util.Objects.equals(lastArchivedWAL, b.lastArchivedWAL)
                && java.util.Objects.equals(lastArchivedAt, b.lastArchivedAt)
                && java.util.Objects.equals(lastFailedWAL, b.lastFailedWAL)
                && java.util.Objects.equals(lastFailedAt, b.lastFailedAt)
                && java.util.Objects.equals(lastFailure, b.lastFailure)
                && java.util.Objects.equals(lastRequest, b.lastRequest)
                && java.util.Objects.equals(lastRequestJob, b.lastRequestJob);
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(lastBackup, lastArchivedWAL, lastFailedWAL, lastRequest);
    }
}
