package io.learningdb.operator.dependent;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.dependent.DependentResource;
import io.javaoperatorsdk.operator.processing.dependent.workflow.Condition;
import io.learningdb.operator.model.LearningDatabase;
import io.learningdb.operator.resources.MaintenanceSql;

/** ConfigMap {@code <name>-maintenance}, present while any maintenance task is enabled. */
public class MaintenanceConfigDependent extends ConfigMapDependent {


    @Override
    protected String name(LearningDatabase ldb) {
        return MaintenanceSql.configMapName(ldb);
    }

    @Override
    protected ConfigMap desired(LearningDatabase ldb, Context<LearningDatabase> context) {
        return MaintenanceSql.build(ldb);
    }

    public static class Enabled implements Condition<ConfigMap, LearningDatabase> {
        @Override
        public boolean isMet(DependentResource<ConfigMap, LearningDatabase> dependent, LearningDatabase ldb,
                Context<LearningDatabase> context) {
            return MaintenanceSql.anyEnabled(ldb);
        }
    }
}
