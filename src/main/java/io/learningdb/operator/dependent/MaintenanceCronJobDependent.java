package io.learningdb.operator.dependent;

import jakarta.inject.Inject;

import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.dependent.DependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import io.javaoperatorsdk.operator.processing.dependent.workflow.Condition;
import io.learningdb.operator.config.OperatorConfig;
import io.learningdb.operator.model.LearningDatabase;
import io.learningdb.operator.resources.Images;
import io.learningdb.operator.resources.MaintenanceCronJob;
import io.learningdb.operator.resources.MaintenanceTask;

/**
 * One maintenance CronJob. It exists while its spec block does; removing the block deletes it (the workflow
 * deletes a dependent whose precondition no longer holds).
 */
public abstract class MaintenanceCronJobDependent extends NamedDependent<CronJob> {

    @Inject
    OperatorConfig config;

    private final MaintenanceTask task;

    protected MaintenanceCronJobDependent(MaintenanceTask task) {
        super(CronJob.class);
        this.task = task;
    }

    @Override
    protected String name(LearningDatabase ldb) {
        return task.cronJobName(ldb);
    }

    @Override
    protected CronJob desired(LearningDatabase ldb, Context<LearningDatabase> context) {
        return MaintenanceCronJob.build(ldb, task, Images.postgres(ldb, config));
    }

    MaintenanceTask task() {
        return task;
    }

    /** Owns the CronJob informer the other maintenance dependents share. */
    @KubernetesDependent(informer = @Informer(labelSelector = Dependents.MANAGED_SELECTOR))
    public static class PartitionRollover extends MaintenanceCronJobDependent {
        public PartitionRollover() {
            super(MaintenanceTask.PARTITION_ROLLOVER);
        }
    }

    public static class RefreshViews extends MaintenanceCronJobDependent {
        public RefreshViews() {
            super(MaintenanceTask.REFRESH_VIEWS);
        }
    }

    public static class Vacuum extends MaintenanceCronJobDependent {
        public Vacuum() {
            super(MaintenanceTask.VACUUM);
        }
    }

    public static class Report extends MaintenanceCronJobDependent {
        public Report() {
            super(MaintenanceTask.REPORT);
        }
    }

    /** The task's spec block is present. */
    public static class Enabled implements Condition<CronJob, LearningDatabase> {
        @Override
        public boolean isMet(DependentResource<CronJob, LearningDatabase> dependent, LearningDatabase ldb,
                Context<LearningDatabase> context) {
            return ((MaintenanceCronJobDependent) dependent).task().enabled(ldb);
        }
    }
}
