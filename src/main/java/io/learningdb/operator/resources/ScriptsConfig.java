package io.learningdb.operator.resources;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.learningdb.operator.model.LearningDatabase;

/**
 * ConfigMap {@code <name>-scripts}: the instance entrypoint and bootstrap SQL, readable with kubectl. The files
 * are resources of the operator jar (src/main/resources/scripts), so the test fixture runs the very same text.
 */
public final class ScriptsConfig {

    public static final String INSTANCE_SH = "instance.sh";
    public static final String BOOTSTRAP_SQL = "bootstrap.sql";
    public static final String PGBOUNCER_AUTH_SQL = "pgbouncer-auth.sql";
    public static final String INSIGHTS_SQL = "insights.sql";
    public static final String RECOVERED_SQL = "recovered.sql";
    /** The major upgrade (pg_upgrade --link), run by Job {@code <name>-upgrade} on the primary's volume. */
    public static final String UPGRADE_SH = "upgrade.sh";
    /** The exporter sidecar's custom queries (postgres_exporter --extend.query-path). */
    public static final String EXPORTER_QUERIES = "exporter-queries.yaml";
    public static final List<String> FILES = List.of(INSTANCE_SH, BOOTSTRAP_SQL, PGBOUNCER_AUTH_SQL, INSIGHTS_SQL, RECOVERED_SQL,
            EXPORTER_QUERIES, UPGRADE_SH);

    private static final Map<String, String> CONTENT = load();

    private ScriptsConfig() {
    }

    public static ConfigMap build(LearningDatabase ldb) {
        return new ConfigMapBuilder()
                .withNewMetadata()
                .withName(Names.scripts(ldb))
                .withNamespace(ldb.getMetadata().getNamespace())
                .withLabels(Labels.forComponent(ldb, Labels.COMPONENT_CONFIG))
                .endMetadata()
                .withData(CONTENT)
                .build();
    }

    /** The scripts by file name, exactly as they go into the ConfigMap. */
    public static Map<String, String> files() {
        return CONTENT;
    }

    private static Map<String, String> load() {
        var files = new LinkedHashMap<String, String>();
        for (String name : FILES) {
            files.put(name, resource("/scripts/" + name));
        }
        return java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(files));
    }

    /** A text resource of the operator jar (a script the pods run and the tests run verbatim). */
    static String resource(String path) {
        try (InputStream in = ScriptsConfig.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + path);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
