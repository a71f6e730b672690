package io.learningdb.operator.failover;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;

class StuckTerminatingTest {

    static final Instant NOW = Instant.parse("2026-12-01T12:00:00Z");

    static Pod pod(String name, String deletionDeadline) {
        return new PodBuilder().withNewMetadata().withName(name).withUid(name + "-uid")
                .withDeletionTimestamp(deletionDeadline).endMetadata()
                .withNewSpec().withNodeName("node-" + name).endSpec().build();
    }

    @Test
    void aPodStillThereAMinutePastItsDeletionDeadlineIsStuckAndTheMessageSaysWhatFreesIt() {
        var stuck = StuckTerminating.of(List.of(pod("db-0", "2026-12-01T11:58:30Z"), pod("db-1", null)), NOW);
        assertThat(stuck).singleElement().satisfies(s -> {
            assertThat(s.pod()).isEqualTo("db-0");
            assertThat(s.node()).isEqualTo("node-db-0");
            assertThat(s.overdue()).isEqualTo(Duration.ofSeconds(90));
            assertThat(s.message()).contains("does not force-delete")
                    .contains("node.kubernetes.io/out-of-service=nodeshutdown:NoExecute").contains("delete the Node");
        });
    }

    @Test
    void aPodWithinItsGracePeriodOrJustPastItIsNotStuckButIsLookedAtAgainWhenItWouldBe() {
        // deletion requested with a 60 s grace period 10 s ago: deadline in 50 s, stuck from 110 s
        var pods = List.of(pod("db-0", "2026-12-01T12:00:50Z"), pod("db-1", "2026-12-01T11:59:30Z"));
        assertThat(StuckTerminating.of(pods, NOW)).isEmpty();
        assertThat(StuckTerminating.nextCheck(pods, NOW)).contains(Duration.ofSeconds(31));
        assertThat(StuckTerminating.nextCheck(List.of(pod("db-2", null)), NOW)).isEmpty();
    }
}
