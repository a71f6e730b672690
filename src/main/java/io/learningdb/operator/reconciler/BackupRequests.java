package io.learningdb.operator.reconciler;

import java.util.Optional;

import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.learningdb.operator.dependent.Ownership;
import io.learningdb.operator.model.LearningDatabase;
import io.learningdb.operator.model.LearningDatabaseStatus;
import io.learningdb.operator.resources.BackupJob;
import io.learningdb.operator.resources.Names;
import io.learningdb.operator.status.EventRecorder;

/**
 * On-demand backups: a new value of the annotation {@code learningdb.io/backup-request} starts one backup Job. The Job
 * is named by the value, so a retry after a conflict or an operator restart finds it instead of starting another; the
 * value acted on is kept in status.backup.lastRequest. An annotation rather than a LearningDatabaseBackup resource:
 * pgBackRest allows one backup per stanza at a time and the repository itself is the catalogue of backups (status
 * shows the newest and the recoverability window), so a resource per backup would add a CRD, RBAC and a lifecycle
 * without telling more.
 */
final class BackupRequests {

    private BackupRequests() {
    }

    static Optional<String> requested(LearningDatabase ldb) {
        var annotations = ldb.getMetadata().getAnnotations();
        String value = annotations == null ? null : annotations.get(BackupJob.REQUEST_ANNOTATION);
        return value == null || value.isBlank() ? Optional.empty() : Optional.of(value.strip());
    }

    /** Starts the Job of a new request (once the cluster has a primary) and records it in {@code next}. */
    static void act(LearningDatabase ldb, KubernetesClient client, LearningDatabaseStatus next, String image,
            EventRecorder events) {
        var request = requested(ldb);
        if (request.isEmpty()) {
            return;
        }
        if (ldb.getSpec().getBackup() == null || next.getBackup() == null) {
            if (!request.get().equals(Optional.ofNullable(ldb.getStatus()).map(LearningDatabaseStatus::getBackup)
                    .map(b -> b.getLastRequest()).orElse(null))) {
                events.record(ldb, EventRecorder.WARNING, "BackupNotConfigured", "backup request '" + request.get()
                        + "' ignored: spec.backup is not set");
            }
            return;
        }
        if (request.get().equals(next.getBackup().getLastRequest()) || next.getPrimary() == null) {
            return;
        }
        Job job = BackupJob.onDemand(ldb, image, request.get());
        Ownership.setController(job, ldb);
        try {
            client.batch().v1().jobs().inNamespace(ldb.getMetadata().getNamespace()).resource(job).create();
            events.record(ldb, EventRecorder.NORMAL, "BackupRequested", "on-demand backup '" + request.get() + "': job "
                    + job.getMetadata().getName());
        } catch (KubernetesClientException e) {
            if (e.getCode() != 409) {
                throw e;
            }
        }
        next.getBackup().setLastRequest(request.get());
        next.getBackup().setLastRequestJob(Names.backupRequestJob(ldb, request.get()));
    }
}
