package io.learningdb.operator.postgres;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * WAL archiving on the primary: pg_stat_archiver, and pgBackRest's message for the newest failure (the asynchronous
 * archive-push leaves it in its spool directory). Failing = the last failure is newer than the last success.
 */
public record ArchiverView(String lastArchivedWal, Instant lastArchivedAt, String lastFailedWal, Instant lastFailedAt,
        String failure) {

    public boolean failing() {
        return lastFailedAt != null && (lastArchivedAt == null || lastFailedAt.isAfter(lastArchivedAt));
    }

    /**
     * What to report, given what was reported before: the previous view while archiving neither changed state nor
     * message and moved by less than {@code hold}. A busy primary archives a segment every few seconds; status follows
     * it at this resolution only (the metric has every value), so a healthy cluster causes no status write per segment.
     */
    public ArchiverView heldFrom(ArchiverView previous, Duration hold) {
        if (previous == null || previous.failing() != failing() || !Objects.equals(previous.failure, failure)) {
            return this;
        }
        return within(previous.lastArchivedAt, lastArchivedAt, hold) && within(previous.lastFailedAt, lastFailedAt, hold)
                ? previous : this;
    }

    private static boolean within(Instant before, Instant now, Duration hold) {
        if (before == null || now == null) {
            return before == now;
        }
        return Duration.between(before, now).compareTo(hold) < 0;
    }
}
