package io.learningdb.operator.resources;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.learningdb.operator.model.LearningDatabase;
import io.learningdb.operator.model.PartitionedTable;

/**
 * ConfigMap {@code <name>-maintenance}: the SQL each enabled maintenance CronJob runs, rendered from the spec into
 * the templates in src/main/resources/maintenance (readable with kubectl; the tests run the same text).
 */
public final class MaintenanceSql {

    public static final String MOUNT = "/etc/learningdb/maintenance";
    private static final Map<MaintenanceTask, String> TEMPLATES = load();

    private MaintenanceSql() {
    }

    public static String configMapName(LearningDatabase ldb) {
        return ldb.getMetadata().getName() + "-maintenance";
    }

    public static boolean anyEnabled(LearningDatabase ldb) {
        for (MaintenanceTask t : MaintenanceTask.values()) {
            if (t.enabled(ldb)) {
                return true;
            }
        }
        return false;
    }

    public static ConfigMap build(LearningDatabase ldb) {
        var data = new LinkedHashMap<String, String>();
        for (MaintenanceTask t : MaintenanceTask.values()) {
            if (t.enabled(ldb)) {
                data.put(t.file(), render(ldb, t));
            }
        }
        return new ConfigMapBuilder()
                .withNewMetadata()
                .withName(configMapName(ldb))
                .withNamespace(ldb.getMetadata().getNamespace())
                .withLabels(Labels.forComponent(ldb, Labels.COMPONENT_MAINTENANCE))
                .endMetadata()
                .withData(data)
                .build();
    }

    public static String render(LearningDatabase ldb, MaintenanceTask task) {
        var spec = ldb.getSpec();
        String sql = TEMPLATES.get(task)
                .replace("{{CLUSTER}}", ldb.getMetadata().getNamespace() + "/" + ldb.getMetadata().getName())
                .replace("{{CRONJOB}}", task.cronJobName(ldb))
                .replace("{{OWNER}}", spec.getBootstrap().getOwner());
        return switch (task) {
            case PARTITION_ROLLOVER -> sql.replace("{{TABLES}}", spec.getPartitioning().getTables().stream()
                    .map(MaintenanceSql::tableRow).collect(Collectors.joining(",\n")));
            case REFRESH_VIEWS -> sql
                    .replace("{{LOCK_TIMEOUT}}", spec.getMaterializedViews().getLockTimeout())
                    .replace("{{VIEWS}}", spec.getMaterializedViews().getViews().isEmpty() ? "(NULL)"
                            : spec.getMaterializedViews().getViews().stream().map(v -> "(" + literal(v) + ")")
                                    .collect(Collectors.joining(", ")));
            case REPORT -> sql;
            case VACUUM -> sql
                    .replace("{{RATIO}}", String.format(Locale.ROOT, "%s", spec.getMaintenance().getVacuum().getDeadTupleRatio()))
                    .replace("{{MIN_DEAD}}", Long.toString(spec.getMaintenance().getVacuum().getMinDeadTuples()));
        };
    }

    private static String tableRow(PartitionedTable t) {
        return "(" + literal(t.getTable()) + ", " + literal(t.getColumn()) + ", "
                + literal(t.getInterval() == PartitionedTable.Interval.DAILY ? "daily" : "monthly") + ", "
                + t.getPremake() + ", " + (t.getRetention() == null ? "NULL" : t.getRetention().toString()) + ", "
                + literal(t.getRetentionPolicy() == PartitionedTable.RetentionPolicy.DROP ? "drop" : "detach") + ")";
    }

    /** A SQL string literal (names are validated by the CRD; quotes are doubled all the same). */
    static String literal(String s) {
        return "'" + s.replace("'", "''") + "'";
    }

    private static Map<MaintenanceTask, String> load() {
        var templates = new LinkedHashMap<MaintenanceTask, String>();
        for (MaintenanceTask t : MaintenanceTask.values()) {
            try (InputStream in = MaintenanceSql.class.getResourceAsStream("/maintenance/" + t.file())) {
                if (in == null) {
                    throw new IllegalStateException("missing resource /maintenance/" + t.file());
                }
                templates.put(t, new String(in.readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return templates;
    }
}
