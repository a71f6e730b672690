package io.learningdb.operator.dependent;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.dependent.DependentResource;
import io.javaoperatorsdk.operator.processing.dependent.workflow.Condition;
import io.learningdb.operator.model.LearningDatabase;
import io.learningdb.operator.resources.BackupConfig;
import io.learningdb.operator.resources.Names;

/** ConfigMap {@code <name>-backup}, present while spec.backup or bootstrap.recovery is set. */
public class BackupConfigDependent extends ConfigMapDependent {

    @Override
    protected String name(LearningDatabase ldb) {
        return Names.backup(ldb);
    }

    @Override
    protected ConfigMap desired(LearningDatabase ldb, Context<LearningDatabase> context) {
        return BackupConfig.build(ldb);
    }

    public static class Needed implements Condition<ConfigMap, LearningDatabase> {
        @Override
        public boolean isMet(DependentResource<ConfigMap, LearningDatabase> dependent, LearningDatabase ldb,
                Context<LearningDatabase> context) {
            return BackupConfig.needed(ldb);
        }
    }
}
