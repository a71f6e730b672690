package io.learningdb.operator.model;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/** A PostgreSQL tier for the learning platform: primary, streaming replicas, PgBouncer, services. */
@Group("learningdb.io")
@Version("v1alpha1")
@Kind("LearningDatabase")
@Plural("learningdatabases")
@ShortNames("ldb")
@AdditionalPrinterColumn(name = "Ready", jsonPath = ".status.conditions[?(@.type==\"Ready\")].status")
@AdditionalPrinterColumn(name = "Primary", jsonPath = ".status.primary")
@AdditionalPrinterColumn(name = "Replicas", jsonPath = ".status.replicaReadiness")
@AdditionalPrinterColumn(name = "Max Lag", jsonPath = ".status.maxLag")
@AdditionalPrinterColumn(name = "Phase", jsonPath = ".status.phase")
@AdditionalPrinterColumn(name = "Age", jsonPath = ".metadata.creationTimestamp",
        type = AdditionalPrinterColumn.Type.DATE)
@ValidationRule(value = "self.metadata.name.matches('" + Syntax.DNS1035_LABEL + "')",
        message = "metadata.name must be a DNS-1035 label (lower case letters, digits and '-', starting with a letter): "
                + "it names the cluster's Services")
@ValidationRule(value = "self.metadata.name.size() <= 40",
        message = "metadata.name must be at most 40 characters: pod, service and StatefulSet names are derived from it")
@ValidationRule(value = "!has(self.spec.tls) || !has(self.spec.tls.serverSecretName) "
        + "|| self.spec.tls.serverSecretName != self.metadata.name + '-tls'",
        message = "tls.serverSecretName must not be <name>-tls: that is the Secret the operator issues its own certificate "
                + "into; give your Secret another name")
public class LearningDatabase extends CustomResource<LearningDatabaseSpec, LearningDatabaseStatus> implements Namespaced {

    @Override
    protected LearningDatabaseSpec initSpec() {
        return new LearningDatabaseSpec();
    }

    @Override
    protected LearningDatabaseStatus initStatus() {
        return new LearningDatabaseStatus();
    }
}
