package io.learningdb.operator.resources;

import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.learningdb.operator.model.LearningDatabase;

/** LearningDatabases for pure builder tests, parsed from YAML as a user would write them. */
public final class Fixtures {

    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

    private Fixtures() {
    }

    public static LearningDatabase ldb(String name, String specYaml) {
        var ldb = SERIALIZATION.unmarshal("""
                apiVersion: learningdb.io/v1alpha1
                kind: LearningDatabase
                metadata:
                  name: %s
                  namespace: edu
                  uid: 0000-1111
                  generation: 1
                spec:
                %s
                """.formatted(name, specYaml.indent(2)), LearningDatabase.class);
        return ldb;
    }

    public static LearningDatabase ldb(String specYaml) {
        return ldb("courses", specYaml);
    }
}
