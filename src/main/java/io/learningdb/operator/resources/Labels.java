package io.learningdb.operator.resources;

import java.util.LinkedHashMap;
import java.util.Map;

import io.learningdb.operator.model.LearningDatabase;

/**
 * Labels of every object the operator creates. Selector labels are minimal and frozen: a StatefulSet's selector
 * can never change, so only {@link #CLUSTER} and {@link #COMPONENT} are in it.
 */
public final class Labels {

    public static final String CLUSTER = "learningdb.io/cluster";
    public static final String ROLE = "learningdb.io/role";
    /**
     * Pod annotation: the system identifier of the cluster's data (status.systemIdentifier), written with the role.
     * instance.sh refuses to initdb a primary when it is set: an empty data directory in a cluster that exists
     * means lost data, not a new cluster.
     */
    public static final String SYSTEM_IDENTIFIER = "learningdb.io/system-identifier";
    public static final String COMPONENT = "app.kubernetes.io/component";
    public static final String NAME = "app.kubernetes.io/name";
    public static final String INSTANCE = "app.kubernetes.io/instance";
    public static final String MANAGED_BY = "app.kubernetes.io/managed-by";
    public static final String PART_OF = "app.kubernetes.io/part-of";

    public static final String COMPONENT_INSTANCE = "instance";
    public static final String COMPONENT_POOLER = "pooler";
    public static final String COMPONENT_CONFIG = "config";
    public static final String COMPONENT_CREDENTIALS = "credentials";
    public static final String COMPONENT_MAINTENANCE = "maintenance";
    public static final String COMPONENT_BACKUP = "backup";
    public static final String COMPONENT_UPGRADE = "upgrade";

    public static final String ROLE_PRIMARY = "primary";
    public static final String ROLE_REPLICA = "replica";

    public static final String MANAGER = "learningdb-operator";

    /** Annotation on pod templates: hash of every config file the pods read, so a config change rolls them. */
    public static final String CONFIG_HASH = "learningdb.io/config-hash";

    /** Annotation on pod templates: fingerprint of the server certificate, so a renewed certificate rolls them. */

    private Labels() {
    }

    /**
     * The learningdb.io annotations of a pod template or pod (config hash, TLS fingerprint), sorted: only the
     * operator writes them, so they are compared exactly, never merged with what others add.
     */
    public static Map<String, String> ownAnnotations(Map<String, String> annotations) {
        var out = new java.util.TreeMap<String, String>();
        if (annotations != null) {
            annotations.forEach((k, v) -> {
                if (k.startsWith("learningdb.io/") && !k.equals(SYSTEM_IDENTIFIER)) {
                    out.put(k, v);
                }
            });
        }
        return out;
    }

    public static Map<String, String> podAnnotations(String configHash) {
        var annotations = new LinkedHashMap<String, String>();
        annotations.put(CONFIG_HASH, configHash);
        return annotations;
    }

    public static Map<String, String> selector(LearningDatabase ldb, String component) {
        var labels = new LinkedHashMap<String, String>();
        labels.put(CLUSTER, ldb.getMetadata().getName());
        labels.put(COMPONENT, component);
        return labels;
    }

    public static Map<String, String> forComponent(LearningDatabase ldb, String component) {
        var labels = selector(ldb, component);
        labels.put(NAME, "learningdb");
        labels.put(INSTANCE, ldb.getMetadata().getName());
        labels.put(PART_OF, "learningdb");
        labels.put(MANAGED_BY, MANAGER);
        return labels;
    }

    public static Map<String, String> roleSelector(LearningDatabase ldb, String role) {
        var labels = selector(ldb, COMPONENT_INSTANCE);
        labels.put(ROLE, role);
        return labels;
    }
}
