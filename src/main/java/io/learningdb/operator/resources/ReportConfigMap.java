package io.learningdb.operator.resources;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.learningdb.operator.model.LearningDatabase;
import io.learningdb.operator.postgres.Reports;

/**
 * ConfigMap {@code <name>-report}: the newest performance report of the cluster ({@code kubectl get cm <name>-report
 * -o jsonpath='{.data.report\.txt}'}), copied by the operator from the database once per new report.
 */
public final class ReportConfigMap {

    public static final String KEY = "report.txt";
    /** The id of the report it holds: the operator writes only when a newer one exists. */
    public static final String REPORT_ID = "learningdb.io/report-id";
    public static final String CREATED_AT = "learningdb.io/report-created-at";

    private ReportConfigMap() {
    }

    public static String name(LearningDatabase ldb) {
        return ldb.getMetadata().getName() + "-report";
    }

    public static ConfigMap build(LearningDatabase ldb, Reports.Report report) {
        return new ConfigMapBuilder()
                .withNewMetadata()
                .withName(name(ldb))
                .withNamespace(ldb.getMetadata().getNamespace())
                .withLabels(Labels.forComponent(ldb, Labels.COMPONENT_MAINTENANCE))
                .addToAnnotations(REPORT_ID, Long.toString(report.id()))
                .addToAnnotations(CREATED_AT, report.createdAt().toString())
                .endMetadata()
                .addToData(KEY, report.body())
                .build();
    }

    /**
     * Whether {@code map} already holds {@code report} of this cluster: owned by this very LearningDatabase (a cluster
     * created again under the same name starts its report ids again) and annotated with the report's id and time.
     */
    public static boolean holds(ConfigMap map, LearningDatabase ldb, Reports.Report report) {
        if (map == null || map.getMetadata().getAnnotations() == null || map.getMetadata().getOwnerReferences() == null
                || map.getMetadata().getOwnerReferences().stream().noneMatch(o -> ldb.getMetadata().getUid().equals(o.getUid()))) {
            return false;
        }
        var annotations = map.getMetadata().getAnnotations();
        return Long.toString(report.id()).equals(annotations.get(REPORT_ID))
                && report.createdAt().toString().equals(annotations.get(CREATED_AT));
    }
}
