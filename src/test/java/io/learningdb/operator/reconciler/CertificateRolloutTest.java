package io.learningdb.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;

/**
 * "Every pod has loaded the certificate" is what lets a CA rotation take its next step. Before, with no instance pod
 * ready it was true of the empty set, so a rotation went on through its steps while nothing could say what it had
 * loaded.
 */
class CertificateRolloutTest {

    static Pod pod(String name, boolean ready) {
        return new PodBuilder().withNewMetadata().withName(name).endMetadata()
                .withNewStatus().withPhase("Running")
                .addNewCondition().withType("Ready").withStatus(ready ? "True" : "False").endCondition()
                .endStatus().build();
    }

    @Test
    void noPodReadyIsNotEveryPodLoaded() {
        assertThat(CertificateRollout.instancesLoaded(List.of(), Optional.empty(), "abc")).isFalse();
        assertThat(CertificateRollout.instancesLoaded(List.of(pod("db-0", false), pod("db-1", false)), Optional.empty(),
                "abc")).isFalse();
    }

    @Test
    void aReadyPodTheOperatorCannotReadHasNotLoadedIt() {
        assertThat(CertificateRollout.instancesLoaded(List.of(pod("db-0", true)), Optional.empty(), "abc")).isFalse();
    }
}
