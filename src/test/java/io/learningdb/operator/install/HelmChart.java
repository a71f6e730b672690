package io.learningdb.operator.install;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.marcnuri.helm.Helm;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;

/** The chart under helm/, rendered by real Helm (helm-java embeds it) and parsed into the fabric8 model. */
public final class HelmChart {

    public static final Path CHART = Path.of("helm", "learningdb-operator");
    public static final Path MANIFESTS = Path.of("manifests", "install.yaml");
    public static final String RELEASE = "learningdb-operator";
    public static final String NAMESPACE = "learningdb-system";
    /** Helm template pretends v1.20 unless told; the chart needs >= 1.25. */
    public static final String KUBE_VERSION = "v1.31.0";
    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

    private HelmChart() {
    }

    public static String template(Map<String, Object> values) {
        var cmd = new Helm(CHART).template().withName(RELEASE).withNamespace(NAMESPACE).withKubeVersion(KUBE_VERSION);
        values.forEach(cmd::set);
        return cmd.call();
    }

    /** Every object of a rendering, typed (kinds fabric8 does not know parse as GenericKubernetesResource). */
    public static List<HasMetadata> objects(String yaml) {
        var out = new ArrayList<HasMetadata>();
        for (String doc : yaml.split("(?m)^---\\s*$")) {
            if (doc.lines().allMatch(l -> l.isBlank() || l.startsWith("#"))) {
                continue;
            }
            out.add(SERIALIZATION.unmarshal(doc, HasMetadata.class));
        }
        return out;
    }

    public static <T extends HasMetadata> List<T> ofType(List<HasMetadata> objects, Class<T> type) {
        return objects.stream().filter(type::isInstance).map(type::cast).toList();
    }

    /** manifests/install.yaml: the operator's namespace, then the chart rendered with default values. */
    public static String plainManifests() {
        return """
                # LearningDB Operator: plain-YAML install, rendered from helm/learningdb-operator with default values.
                # Generated: do not edit. Regenerate with ./mvnw test -Dtest=HelmChartTest -Dupdate-manifests=true
                # Install: kubectl apply --server-side -f manifests/install.yaml
                apiVersion: v1
                kind: Namespace
                metadata:
                  name: %s
                  labels:
                    pod-security.kubernetes.io/enforce: restricted
                """.formatted(NAMESPACE) + "---\n" + template(Map.of()).replaceFirst("^---\\s*\\n", "");
    }

    public static void write(Path file, String content) {
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
