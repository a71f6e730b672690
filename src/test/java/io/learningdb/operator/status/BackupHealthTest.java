package io.learningdb.operator.status;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.learningdb.operator.model.LearningDatabaseStatus;
import io.learningdb.operator.postgres.ArchiverView;
import io.learningdb.operator.resources.Fixtures;

class BackupHealthTest {

    static final Instant NOW = Instant.parse("2026-12-02T03:00:00Z");
    static final String BACKUP = """
            backup:
              store:
                endpoint: s3.example.com
                bucket: backups
                credentials:
                  secretName: keys
            """;

    static LearningDatabaseStatus next() {
        var s = new LearningDatabaseStatus();
        s.setObservedGeneration(1L);
        return s;
    }

    @Test
    void aFailingArchiverIsAFalseConditionWithPgBackRestsReasonAndItStaysWhileThePrimaryCannotBeMeasured() {
        var ldb = Fixtures.ldb(BACKUP);
        var failing = new ArchiverView("000000010000000000000007", NOW.minusSeconds(600), "000000010000000000000008",
                NOW.minusSeconds(30), "103 unable to find a valid repository: ... HTTP request failed with 403 (Forbidden)");
        var first = next();
        BackupHealth.apply(ldb, null, first, failing, List.of(), List.of(), NOW);
        var c = Conditions.find(first.getConditions(), Conditions.CONTINUOUS_ARCHIVING).orElseThrow();
        assertThat(c.getStatus()).isEqualTo("False");
        assertThat(c.getReason()).isEqualTo(BackupHealth.ARCHIVING_FAILING);
        assertThat(c.getMessage()).contains("000000010000000000000008", "403 (Forbidden)", "keeps the WAL");
        assertThat(first.getBackup().getLastArchivedWAL()).isEqualTo("000000010000000000000007");

        // the primary cannot be measured: what was shown stays
        var second = next();
        BackupHealth.apply(ldb, first, second, null, List.of(), List.of(), NOW.plusSeconds(60));
        assertThat(Conditions.find(second.getConditions(), Conditions.CONTINUOUS_ARCHIVING).orElseThrow().getReason())
                .isEqualTo(BackupHealth.ARCHIVING_FAILING);
        assertThat(second.getBackup().getLastFailure()).contains("403");

        // archiving recovers
        var third = next();
        BackupHealth.apply(ldb, second, third, new ArchiverView("000000010000000000000009", NOW.plusSeconds(90),
                "000000010000000000000008", NOW.minusSeconds(30), null), List.of(), List.of(), NOW.plusSeconds(90));
        assertThat(Conditions.find(third.getConditions(), Conditions.CONTINUOUS_ARCHIVING).orElseThrow().getStatus())
                .isEqualTo("True");
        assertThat(third.getBackup().getLastFailure()).as("the last failure stays on record").contains("403");
    }

    @Test
    void withoutSpecBackupThereIsNoBackupStatusAndNoCondition() {
        var s = next();
        BackupHealth.apply(Fixtures.ldb("replicas: 1\n"), null, s, null, List.of(), List.of(), NOW);
        assertThat(s.getBackup()).isNull();
        assertThat(s.getConditions()).isEmpty();
    }

    @Test
    void statusFollowsABusyArchiverAtFiveMinuteResolutionButAFailureAtOnce() {
        var reported = new ArchiverView("00000001000000000000000A", NOW, null, null, null);
        var later = new ArchiverView("00000001000000000000000F", NOW.plusSeconds(200), null, null, null);
        assertThat(later.heldFrom(reported, Duration.ofMinutes(5))).isSameAs(reported);
        var muchLater = new ArchiverView("000000010000000000000020", NOW.plusSeconds(301), null, null, null);
        assertThat(muchLater.heldFrom(reported, Duration.ofMinutes(5))).isSameAs(muchLater);
        var failing = new ArchiverView("00000001000000000000000A", NOW, "00000001000000000000000B", NOW.plusSeconds(5), "x");
        assertThat(failing.heldFrom(reported, Duration.ofMinutes(5))).isSameAs(failing);
        // retries of the same failure do not rewrite status every minute
        var retried = new ArchiverView("00000001000000000000000A", NOW, "00000001000000000000000B", NOW.plusSeconds(65), "x");
        assertThat(retried.heldFrom(failing, Duration.ofMinutes(5))).isSameAs(failing);
    }
}
