package io.learningdb.operator.crd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * The committed CRD is accepted by kube-apiserver's CEL cost check, with headroom: every rule reaches only bounded
 * values, and the worst case (a conservative upper bound of Kubernetes' estimate) stays a tenth of the limits.
 */
class CelCostTest {

    /** A tenth of kube-apiserver's limits: room for new rules and for estimator changes between Kubernetes versions. */
    static final long RULE_BUDGET = CelCost.PER_RULE_LIMIT / 10;
    static final long CRD_BUDGET = CelCost.PER_CRD_LIMIT / 10;

    @SuppressWarnings("unchecked")
    static Map<String, Object> committedSchema() throws IOException {
        Map<String, Object> crd = new Yaml().load(Files.readString(CrdValidator.CRD));
        var versions = (List<Map<String, Object>>) ((Map<String, Object>) crd.get("spec")).get("versions");
        return (Map<String, Object>) ((Map<String, Object>) versions.get(0).get("schema")).get("openAPIV3Schema");
    }

    @Test
    void everyRuleOfTheCommittedCrdFitsTheCostBudgetWithHeadroom() throws IOException {
        var costs = CelCost.estimate(committedSchema());
        assertThat(costs).hasSizeGreaterThan(10);
        long total = 0;
        for (var c : costs) {
            System.out.printf("CEL cost %,12d x %,5d = %,14d  %s: %s%n", c.perCall(), c.cardinality(), c.total(),
                    c.path(), c.rule().length() > 60 ? c.rule().substring(0, 60) + "..." : c.rule());
            assertThat(c.total()).as("%s: %s", c.path(), c.rule()).isLessThanOrEqualTo(RULE_BUDGET);
            total += c.total();
        }
        System.out.printf("CEL cost of all rules: %,d (kube-apiserver limit %,d)%n", total, CelCost.PER_CRD_LIMIT);
        assertThat(total).isLessThanOrEqualTo(CRD_BUDGET);
    }

    @Test
    void aRuleOverAnUnboundedMapOrStringIsRefused() {
        // postgres.parameters as the CRD had it: no maxProperties, values without maxLength
        Map<String, Object> unboundedMap = Map.of("type", "object", "additionalProperties", Map.of("type", "string"),
                "x-kubernetes-validations", List.of(Map.of("rule", "self.all(k, !self[k].contains('\\n'))")));
        assertThatThrownBy(() -> CelCost.estimate(Map.of("type", "object", "properties", Map.of("p", unboundedMap))))
                .isInstanceOf(CelCost.Unbounded.class).hasMessageContaining("maxProperties");
        Map<String, Object> boundedMapUnboundedValues = Map.of("type", "object", "maxProperties", 10,
                "additionalProperties", Map.of("type", "string"),
                "x-kubernetes-validations", List.of(Map.of("rule", "self.all(k, !self[k].contains('\\n'))")));
        assertThatThrownBy(() -> CelCost.estimate(Map.of("type", "object", "properties", Map.of("p", boundedMapUnboundedValues))))
                .isInstanceOf(CelCost.Unbounded.class).hasMessageContaining("maxLength");
        // the "each table once" rule is quadratic in maxItems
        Map<String, Object> tables = Map.of("type", "array", "maxItems", 2000, "items", Map.of("type", "object",
                "properties", Map.of("table", Map.of("type", "string", "maxLength", 1000))),
                "x-kubernetes-validations", List.of(Map.of("rule", "self.all(t, self.exists_one(u, u.table == t.table))")));
        var cost = CelCost.estimate(Map.of("type", "object", "properties", Map.of("tables", tables))).get(0);
        assertThat(cost.total()).isGreaterThan(CelCost.PER_RULE_LIMIT);
    }
}
