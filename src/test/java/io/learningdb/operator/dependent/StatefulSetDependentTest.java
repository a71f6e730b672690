package io.learningdb.operator.dependent;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.Quantity;
import io.learningdb.operator.resources.Fixtures;
import io.learningdb.operator.resources.InstanceStatefulSet;

class StatefulSetDependentTest {

    @Test
    void quantitiesCompareByAmountAndRemovedKeysCount() {
        assertThat(StatefulSetDependent.sameQuantities(Map.of("cpu", new Quantity("0.5")), Map.of("cpu", new Quantity("500m")))).isTrue();
        assertThat(StatefulSetDependent.sameQuantities(Map.of("memory", new Quantity("1Gi")), Map.of("memory", new Quantity("1073741824")))).isTrue();
        assertThat(StatefulSetDependent.sameQuantities(Map.of(), Map.of("memory", new Quantity("1Gi")))).isFalse();
        assertThat(StatefulSetDependent.sameQuantities(Map.of("cpu", new Quantity("1")), Map.of("cpu", new Quantity("2")))).isFalse();
    }

    @Test
    void aRemovedLimitIsADifference() {
        var withLimit = InstanceStatefulSet.build(Fixtures.ldb("postgres:\n  resources:\n    limits:\n      memory: 1Gi\n"), "pg", "h");
        var without = InstanceStatefulSet.build(Fixtures.ldb("replicas: 2\n"), "pg", "h");
        assertThat(StatefulSetDependent.sameResources(without, withLimit)).isFalse();
        assertThat(StatefulSetDependent.sameResources(withLimit, withLimit)).isTrue();
    }
}
