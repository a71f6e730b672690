package io.learningdb.operator.status;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;

/** Kubernetes-style conditions: lastTransitionTime only moves when the status itself changes. */
public final class Conditions {

    public static final String READY = "Ready";
    public static final String PRIMARY_AVAILABLE = "PrimaryAvailable";
    public static final String POOLER_READY = "PoolerReady";
    public static final String REPLICATION_HEALTHY = "ReplicationHealthy";
    public static final String MAINTENANCE_HEALTHY = "MaintenanceHealthy";
    public static final String CONTINUOUS_ARCHIVING = "ContinuousArchiving";
    public static final String BACKUPS_HEALTHY = "BackupsHealthy";
    /** True while a change reaches the instances (reload, rolling restart); False, reason UpToDate, once it has. */
    public static final String PROGRESSING = "Progressing";
    /**
     * Present only while a spec change cannot be applied (reason UnsupportedChange, or ParameterRefused: PostgreSQL
     * refuses a parameter value); removed once it can.
     */
    public static final String SPEC_APPLIED = "SpecApplied";
    public static final String UNSUPPORTED_CHANGE = "UnsupportedChange";
    /** PrimaryAvailable=False: the primary serves a database other than the one recorded in status.systemIdentifier. */
    public static final String SYSTEM_IDENTIFIER_MISMATCH = "SystemIdentifierMismatch";
    public static final String UNKNOWN = "Unknown";

    private Conditions() {
    }

    public static Optional<Condition> find(List<Condition> conditions, String type) {
        return conditions == null ? Optional.empty()
                : conditions.stream().filter(c -> type.equals(c.getType())).findFirst();
    }

    public static boolean isTrue(List<Condition> conditions, String type) {
        return find(conditions, type).map(c -> "True".equals(c.getStatus())).orElse(false);
    }

    /** Sets a condition in place; a previous one of the same type keeps its lastTransitionTime if status is unchanged. */
    public static void set(List<Condition> conditions, List<Condition> previous, String type, boolean status,
            String reason, String message, Long generation, Instant now) {
        set(conditions, previous, type, status ? "True" : "False", reason, message, generation, now);
    }

    /** As above with the status text itself: True, False or Unknown. */
    public static void set(List<Condition> conditions, List<Condition> previous, String type, String statusText,
            String reason, String message, Long generation, Instant now) {
        String since = find(previous, type)
                .filter(c -> statusText.equals(c.getStatus()) && c.getLastTransitionTime() != null)
                .map(Condition::getLastTransitionTime)
                .orElse(now.truncatedTo(ChronoUnit.SECONDS).toString());
        conditions.removeIf(c -> type.equals(c.getType()));
        conditions.add(new ConditionBuilder()
                .withType(type)
                .withStatus(statusText)
                .withReason(reason)
                .withMessage(message)
                .withObservedGeneration(generation)
                .withLastTransitionTime(since)
                .build());
    }
}
