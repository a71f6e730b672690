package io.learningdb.operator.dependent;

import io.learningdb.operator.resources.Labels;

/** Names of the dependents in the workflow; the first of each kind owns the informer the others share. */
public final class Dependents {

    /** Informers cache only what this operator created. */
    public static final String MANAGED_SELECTOR = Labels.MANAGED_BY + "=" + Labels.MANAGER;

    public static final String SUPERUSER_SECRET = "superuser-secret";
    public static final String REPLICATION_SECRET = "replication-secret";
    public static final String APP_SECRET = "app-secret";
    public static final String POOLER_AUTH_SECRET = "pooler-auth-secret";
    public static final String CA_SECRET = "ca-secret";
    public static final String SERVER_TLS_SECRET = "server-tls-secret";
    public static final String POSTGRES_CONFIG = "postgres-config";
    public static final String POOLER_CONFIG = "pooler-config";
    public static final String SCRIPTS = "scripts";
    public static final String INSTANCES = "instances";
    public static final String POOLER = "pooler";
    public static final String RW_SERVICE = "rw-service";
    public static final String RO_SERVICE = "ro-service";
    public static final String POOLER_SERVICE = "pooler-service";
    public static final String HEADLESS_SERVICE = "headless-service";
    public static final String POOLER_HEADLESS_SERVICE = "pooler-headless-service";
    public static final String DISRUPTION_BUDGET = "disruption-budget";
    public static final String PRIMARY_DISRUPTION_BUDGET = "primary-disruption-budget";
    public static final String INSTANCES_NETWORK_POLICY = "instances-network-policy";
    public static final String POOLER_NETWORK_POLICY = "pooler-network-policy";
    public static final String MAINTENANCE_SECRET = "maintenance-secret";
    public static final String MONITOR_SECRET = "monitor-secret";
    public static final String MAINTENANCE_CONFIG = "maintenance-config";
    public static final String PARTITION_ROLLOVER = "partition-rollover";
    public static final String REFRESH_VIEWS = "refresh-views";
    public static final String VACUUM = "vacuum";
    public static final String REPORT = "report";
    public static final String BACKUP_CONFIG = "backup-config";
    public static final String BACKUP_TLS_SECRET = "backup-tls-secret";
    public static final String BACKUP_CRON_JOB = "backup-cron-job";

    private Dependents() {
    }
}
