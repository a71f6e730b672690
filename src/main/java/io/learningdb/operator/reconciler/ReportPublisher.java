package io.learningdb.operator.reconciler;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.jboss.logging.Logger;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.learningdb.operator.dependent.Ownership;
import io.learningdb.operator.model.LearningDatabase;
import io.learningdb.operator.postgres.Reports;
import io.learningdb.operator.resources.ReportConfigMap;
import io.learningdb.operator.status.EventRecorder;

/**
 * Copies a cluster's newest performance report into ConfigMap {@code <name>-report}: one write per new report (a
 * weekly task: a write a week), none otherwise. Which report each cluster's ConfigMap holds is remembered (by the
 * cluster's UID: one created again under the same name starts its report ids again); after an operator restart the
 * ConfigMap is read once to learn it.
 */
final class ReportPublisher {

    private static final Logger LOG = Logger.getLogger(ReportPublisher.class);
    /** Per cluster (namespace/name/uid): the report its ConfigMap holds (id@createdAt). */
    private final Map<String, String> published = new ConcurrentHashMap<>();

    /** Drops what is kept of a deleted cluster ({@code ns/name}). */
    void forget(String cluster) {
        published.keySet().removeIf(k -> k.startsWith(cluster + "/"));
    }

    void publish(LearningDatabase ldb, KubernetesClient client, Reports.Report report, EventRecorder events) {
        if (report == null) {
            return;
        }
        String key = LearningDatabaseReconciler.key(ldb) + "/" + ldb.getMetadata().getUid();
        String identity = report.id() + "@" + report.createdAt();
        if (identity.equals(published.get(key))) {
            return;
        }
        var maps = client.configMaps().inNamespace(ldb.getMetadata().getNamespace());
        try {
            var existing = maps.withName(ReportConfigMap.name(ldb)).get();
            if (ReportConfigMap.holds(existing, ldb, report)) {
                published.put(key, identity);
                return;
            }
            var desired = ReportConfigMap.build(ldb, report);
            Ownership.setController(desired, ldb);
            if (existing == null) {
                maps.resource(desired).create();
            } else {
                // replaced as read: a concurrent change is a conflict, retried at the next reading
                desired.getMetadata().setResourceVersion(existing.getMetadata().getResourceVersion());
                maps.resource(desired).update();
            }
            published.put(key, identity);
            events.record(ldb, EventRecorder.NORMAL, "ReportPublished", "performance report of " + report.createdAt()
                    + " in ConfigMap " + ReportConfigMap.name(ldb));
        } catch (KubernetesClientException e) {
            // a conflict or a refusal: tried again at the next insights reading
            LOG.infof("%s: report %d not published: %s", key, report.id(), e.getMessage());
        }
    }
}
