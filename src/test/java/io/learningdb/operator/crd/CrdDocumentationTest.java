package io.learningdb.operator.crd;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/** What {@code kubectl get ldb} and {@code kubectl explain ldb} show a user, read from the committed CRD. */
class CrdDocumentationTest {

    @SuppressWarnings("unchecked")
    static Map<String, Object> version() throws IOException {
        Map<String, Object> crd = new Yaml().load(Files.readString(CrdValidator.CRD));
        return ((List<Map<String, Object>>) ((Map<String, Object>) crd.get("spec")).get("versions")).get(0);
    }

    @Test
    @SuppressWarnings("unchecked")
    void kubectlGetShowsTheColumnsInTheReadmeOrderEachDescribed() throws IOException {
        var columns = (List<Map<String, Object>>) version().get("additionalPrinterColumns");
        assertThat(columns).extracting(c -> c.get("name"))
                .containsExactly("Ready", "Primary", "Replicas", "Max Lag", "Phase", "Age");
        assertThat(columns).allSatisfy(c -> assertThat((String) c.get("description")).isNotBlank());
        // the README's example output has the same header
        String header = String.join("   ", columns.stream().map(c -> ((String) c.get("name")).toUpperCase()).toList());
        assertThat(Files.readString(Path.of("README.md")).replaceAll(" +", " "))
                .contains(("NAME " + header).replaceAll(" +", " "));
    }

    @Test
    @SuppressWarnings("unchecked")
    void kubectlExplainDescribesEveryNode() throws IOException {
        var schema = (Map<String, Object>) ((Map<String, Object>) version().get("schema")).get("openAPIV3Schema");
        var missing = new ArrayList<String>();
        var total = new int[1];
        walk(schema, "ldb", missing, total);
        assertThat(missing).as("nodes without a description (of %d)", total[0]).isEmpty();
        assertThat(total[0]).isGreaterThan(140);
    }

    @SuppressWarnings("unchecked")
    private static void walk(Map<String, Object> node, String path, List<String> missing, int[] total) {
        total[0]++;
        if (!(node.get("description") instanceof String d) || d.isBlank()) {
            missing.add(path);
        }
        if (node.get("properties") instanceof Map<?, ?> props) {
            ((Map<String, Map<String, Object>>) props).forEach((k, v) -> walk(v, path + "." + k, missing, total));
        }
        if (node.get("items") instanceof Map<?, ?> items) {
            // kubectl explain shows a list's fields under the list itself: the items node needs no text of its own
            var item = (Map<String, Object>) items;
            if (item.get("properties") instanceof Map<?, ?> props) {
                ((Map<String, Map<String, Object>>) props).forEach((k, v) -> walk(v, path + "." + k, missing, total));
            }
        }
    }
}
