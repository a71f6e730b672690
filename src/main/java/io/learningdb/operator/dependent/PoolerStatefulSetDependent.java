package io.learningdb.operator.dependent;

import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import io.fabric8.kubernetes.api.model.DeletionPropagation;

import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.Matcher.Result;
import io.learningdb.operator.config.OperatorConfig;
import io.learningdb.operator.model.LearningDatabase;
import io.learningdb.operator.resources.ConfigHash;
import io.learningdb.operator.resources.Images;
import io.learningdb.operator.resources.Names;
import io.learningdb.operator.resources.PoolerConfig;
import io.learningdb.operator.resources.PoolerStatefulSet;

/**
 * The PgBouncer StatefulSet. Unlike the instances' (which hold data), it may be replaced: one created by an earlier
 * version with serviceName {@code <name>-pooler}, a normal Service (so its pods had no per-pod DNS), cannot be updated
 * to the headless {@code <name>-pooler-pods} because kube-apiserver forbids changing serviceName. It is deleted with
 * propagation Orphan — its pods keep serving — and created anew on the next reconcile; the new StatefulSet adopts the
 * pods and rolls them one at a time (the template now names the subdomain, so its revision differs).
 */
public class PoolerStatefulSetDependent extends StatefulSetDependent {

    private static final Logger LOG = Logger.getLogger(PoolerStatefulSetDependent.class);

    @Inject
    OperatorConfig config;

    /** The existing StatefulSet names another governing Service, which only a new StatefulSet can change. */
    static boolean needsReplacement(StatefulSet actual, LearningDatabase ldb) {
        return !Names.poolerHeadlessService(ldb).equals(actual.getSpec().getServiceName());
    }

    @Override
    public Result<StatefulSet> match(StatefulSet actual, LearningDatabase ldb, Context<LearningDatabase> context) {
        if (needsReplacement(actual, ldb)) {
            return Result.computed(false, desired(ldb, context));
        }
        return super.match(actual, ldb, context);
    }

    @Override
    public StatefulSet update(StatefulSet actual, StatefulSet desired, LearningDatabase ldb, Context<LearningDatabase> context) {
        if (needsReplacement(actual, ldb)) {
            LOG.infof("%s/%s: StatefulSet %s governed by Service %s; deleting it (pods orphaned, still serving) to "
                    + "re-create it on %s", ldb.getMetadata().getNamespace(), ldb.getMetadata().getName(),
                    actual.getMetadata().getName(), actual.getSpec().getServiceName(), desired.getSpec().getServiceName());
            context.getClient().resource(actual).withPropagationPolicy(DeletionPropagation.ORPHAN).delete();
            return actual; // its deletion event brings the next reconcile, which creates the new one
        }
        return super.update(actual, desired, ldb, context);
    }

    @Override
    protected String name(LearningDatabase ldb) {
        return Names.pooler(ldb);
    }

    @Override
    protected StatefulSet desired(LearningDatabase ldb, Context<LearningDatabase> context) {
        // what only a restart applies: the settings PgBouncer reads at start, and the entrypoint script
        return PoolerStatefulSet.build(ldb, Images.pooler(ldb, config),
                ConfigHash.of(PoolerConfig.restartSettings(ldb) + PoolerConfig.poolerScript()).substring(0, 16));
    }
}
