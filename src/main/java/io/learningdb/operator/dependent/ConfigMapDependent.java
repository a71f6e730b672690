package io.learningdb.operator.dependent;

import java.util.Objects;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.Matcher.Result;
import io.learningdb.operator.model.LearningDatabase;

/**
 * A ConfigMap the operator renders. Its data must equal the desired data exactly: the generic matcher ignores
 * keys present only on the server (it takes them for server-side defaults), so a file removed from the desired
 * state would otherwise stay forever.
 */
public abstract class ConfigMapDependent extends NamedDependent<ConfigMap> {

    protected ConfigMapDependent() {
        super(ConfigMap.class);
    }

    @Override
    public Result<ConfigMap> match(ConfigMap actual, LearningDatabase ldb, Context<LearningDatabase> context) {
        var generic = super.match(actual, ldb, context);
        ConfigMap desired = generic.computedDesired().orElseThrow();
        return Result.computed(generic.matched() && Objects.equals(actual.getData(), desired.getData()), desired);
    }
}
