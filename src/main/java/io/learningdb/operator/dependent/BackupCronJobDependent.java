package io.learningdb.operator.dependent;

import jakarta.inject.Inject;

import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.dependent.DependentResource;
import io.javaoperatorsdk.operator.processing.dependent.workflow.Condition;
import io.learningdb.operator.config.OperatorConfig;
import io.learningdb.operator.model.LearningDatabase;
import io.learningdb.operator.resources.BackupJob;
import io.learningdb.operator.resources.Images;
import io.learningdb.operator.resources.Names;

/** CronJob {@code <name>-backup}: the scheduled full base backup, while spec.backup is set. */
public class BackupCronJobDependent extends NamedDependent<CronJob> {

    @Inject
    OperatorConfig config;

    public BackupCronJobDependent() {
        super(CronJob.class);
    }

    @Override
    protected String name(LearningDatabase ldb) {
        return Names.backup(ldb);
    }

    @Override
    protected CronJob desired(LearningDatabase ldb, Context<LearningDatabase> context) {
        return BackupJob.cronJob(ldb, Images.postgres(ldb, config));
    }

    public static class Enabled implements Condition<CronJob, LearningDatabase> {
        @Override
        public boolean isMet(DependentResource<CronJob, LearningDatabase> dependent, LearningDatabase ldb,
                Context<LearningDatabase> context) {
            return ldb.getSpec().getBackup() != null;
        }
    }
}
