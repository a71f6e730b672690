package io.learningdb.operator.resources;

import io.learningdb.operator.model.LearningDatabase;

/** Every name the operator derives from a LearningDatabase, in one place. */
public final class Names {

    public static final int POSTGRES_PORT = 5432;
    public static final int POOLER_PORT = 5432;

    public static final String REPLICATION_USER = "replicator";
    public static final String POOLER_AUTH_USER = "pgbouncer_auth";
    public static final String SUPERUSER = "postgres";
    /** The exporter sidecar's login: pg_monitor and the learningdb views, read-only. */
    public static final String MONITOR_USER = "learningdb_monitor";
    /** Runs the maintenance CronJobs: a member of the application owner role, nothing more. */
    public static final String MAINTENANCE_USER = "learningdb_maintenance";

    private Names() {
    }

    private static String base(LearningDatabase ldb) {
        return ldb.getMetadata().getName();
    }

    /** The instance StatefulSet; pods are {@code <name>-0..N}. */
    public static String instances(LearningDatabase ldb) {
        return base(ldb);
    }

    public static String instancePod(LearningDatabase ldb, int ordinal) {
        return base(ldb) + "-" + ordinal;
    }

    /**
     * The membership rule, in one place: the spec asks for the instances with ordinals 0..replicas. The StatefulSet
     * may still run higher ones while it scales down (it keeps the primary's pod until a switchover moved it).
     */
    public static boolean isMember(LearningDatabase ldb, int ordinal) {
        return ordinal >= 0 && ordinal <= ldb.getSpec().getReplicas();
    }

    /** How many instances the spec asks for: the primary and its replicas. */
    public static int members(LearningDatabase ldb) {
        return 1 + ldb.getSpec().getReplicas();
    }

    /** Every instance pod the spec asks for ({@code <name>-0..replicas}) except {@code pod}. */
    public static java.util.List<String> otherInstances(LearningDatabase ldb, String pod) {
        var result = new java.util.ArrayList<String>();
        for (int i = 0; isMember(ldb, i); i++) {
            String name = instancePod(ldb, i);
            if (!name.equals(pod)) {
                result.add(name);
            }
        }
        return java.util.List.copyOf(result);
    }

    /** The ordinal of a StatefulSet pod name ({@code x-3} is 3); {@link Integer#MAX_VALUE} when it has none. */
    public static int ordinal(String pod) {
        try {
            return Integer.parseInt(pod.substring(pod.lastIndexOf('-') + 1));
        } catch (NumberFormatException | IndexOutOfBoundsException e) {
            return Integer.MAX_VALUE;
        }
    }

    /** The ordinal of one of this cluster's instance pods; empty for any other name. */
    public static java.util.OptionalInt instanceOrdinal(LearningDatabase ldb, String pod) {
        String prefix = instances(ldb) + "-";
        if (pod == null || !pod.startsWith(prefix) || !pod.substring(prefix.length()).matches("[0-9]{1,9}")) {
            return java.util.OptionalInt.empty();
        }
        return java.util.OptionalInt.of(Integer.parseInt(pod.substring(prefix.length())));
    }

    public static String headlessService(LearningDatabase ldb) {
        return base(ldb) + "-instances";
    }

    public static String readWriteService(LearningDatabase ldb) {
        return base(ldb) + "-rw";
    }

    public static String readOnlyService(LearningDatabase ldb) {
        return base(ldb) + "-ro";
    }

    /** The PgBouncer StatefulSet and its Service share this name. */
    public static String pooler(LearningDatabase ldb) {
        return base(ldb) + "-pooler";
    }

    /** The headless Service governing the pooler StatefulSet: per-pod DNS names for PgBouncer pods. */
    public static String poolerHeadlessService(LearningDatabase ldb) {
        return base(ldb) + "-pooler-pods";
    }

    public static String postgresConfig(LearningDatabase ldb) {
        return base(ldb) + "-postgres-config";
    }

    public static String poolerConfig(LearningDatabase ldb) {
        return base(ldb) + "-pooler-config";
    }

    public static String scripts(LearningDatabase ldb) {
        return base(ldb) + "-scripts";
    }

    public static String superuserSecret(LearningDatabase ldb) {
        return base(ldb) + "-superuser";
    }

    public static String replicationSecret(LearningDatabase ldb) {
        return base(ldb) + "-replication";
    }

    /** Application owner credentials plus ready-to-use connection URIs. */
    public static String appSecret(LearningDatabase ldb) {
        return base(ldb) + "-app";
    }

    public static String maintenanceSecret(LearningDatabase ldb) {
        return base(ldb) + "-maintenance";
    }

    public static String monitorSecret(LearningDatabase ldb) {
        return base(ldb) + "-monitor";
    }

    public static String poolerAuthSecret(LearningDatabase ldb) {
        return base(ldb) + "-pooler-auth";
    }

    public static String disruptionBudget(LearningDatabase ldb) {
        return base(ldb);
    }

    /** Refuses the primary's eviction: a drain of its node waits for the switchover the operator starts. */
    public static String primaryDisruptionBudget(LearningDatabase ldb) {
        return base(ldb) + "-primary";
    }

    /** In-cluster DNS name of a service of this cluster. */
    /** ConfigMap with pgBackRest's files, and the base-backup CronJob (two kinds, one name). */
    public static String backup(LearningDatabase ldb) {
        return ldb.getMetadata().getName() + "-backup";
    }

    /** The backup CA, the instances' pgBackRest TLS server certificate and the backup job's client certificate. */
    public static String backupTlsSecret(LearningDatabase ldb) {
        return ldb.getMetadata().getName() + "-backup-tls";
    }

    /** The Job of an on-demand backup, named by the request (the annotation's value) so one request makes one Job. */
    public static String backupRequestJob(LearningDatabase ldb, String request) {
        return ldb.getMetadata().getName() + "-backup-" + ConfigHash.of(request).substring(0, 8);
    }

    /** The Job of a major upgrade to {@code major}: one per target version, so a retry finds it. */
    public static String upgradeJob(LearningDatabase ldb, int major) {
        return ldb.getMetadata().getName() + "-upgrade-" + major;
    }

    /** The PersistentVolumeClaim of instance pod {@code pod} (the StatefulSet's claim template {@code data}). */
    public static String dataClaim(String pod) {
        return "data-" + pod;
    }

    public static String serviceHost(LearningDatabase ldb, String service) {
        return service + "." + ldb.getMetadata().getNamespace() + ".svc";
    }

    /** Replication slot of an instance pod: slot names allow only [a-z0-9_]. */
    public static String slotName(String podName) {
        return podName.replace('-', '_').replace('.', '_');
    }
}
