package io.learningdb.operator.resources;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ServicesTest {

    @Test
    void readWriteSelectsThePrimaryAndReadOnlyTheReplicas() {
        var ldb = Fixtures.ldb("replicas: 2\n");
        assertThat(Services.readWrite(ldb).getSpec().getSelector())
                .containsEntry(Labels.ROLE, "primary").containsEntry(Labels.COMPONENT, "instance");
        assertThat(Services.readOnly(ldb).getSpec().getSelector()).containsEntry(Labels.ROLE, "replica");
        assertThat(Services.pooler(ldb).getSpec().getSelector())
                .doesNotContainKey(Labels.ROLE).containsEntry(Labels.COMPONENT, "pooler");
        assertThat(Services.headless(ldb).getSpec().getClusterIP()).isEqualTo("None");
        assertThat(Services.headless(ldb).getSpec().getPublishNotReadyAddresses()).isTrue();
        assertThat(Services.readWrite(ldb).getSpec().getPorts().get(0).getTargetPort().getStrVal()).isEqualTo("postgres");
    }

    @Test
    void disruptionBudgetAllowsOneInstanceDownAtATime() {
        var pdb = DisruptionBudget.build(Fixtures.ldb("replicas: 2\n"));
        assertThat(pdb.getSpec().getMaxUnavailable().getIntVal()).isEqualTo(1);
        assertThat(pdb.getSpec().getSelector().getMatchLabels()).containsOnlyKeys(Labels.CLUSTER, Labels.COMPONENT);
    }
}
