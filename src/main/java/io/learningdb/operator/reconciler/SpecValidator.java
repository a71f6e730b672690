package io.learningdb.operator.reconciler;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import io.fabric8.kubernetes.api.model.Quantity;
import io.learningdb.operator.model.LearningDatabase;
import io.learningdb.operator.model.LearningDatabaseSpec;
import io.learningdb.operator.model.ManagedSettings;
import io.learningdb.operator.resources.KubernetesSyntax;

/**
 * The operator's own check of a spec. The CRD's schema and CEL rules refuse the same things at admission; this
 * catches objects that bypassed them (an older CRD, a server without CEL) so they get a clear condition instead of
 * broken pods.
 */
public final class SpecValidator {

    private static final Pattern KEY = Pattern.compile("^[a-z][a-z0-9_.]*$");
    private static final Pattern IDENTIFIER = Pattern.compile("^[a-z_][a-z0-9_]{0,62}$");
    private static final Pattern SIZE = Pattern.compile("^[0-9]+(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$");

    private SpecValidator() {
    }

    /** Every problem found, each a sentence a user can act on; empty when the spec is usable. */
    public static List<String> validate(LearningDatabase ldb) {
        var problems = new ArrayList<String>();
        LearningDatabaseSpec spec = ldb.getSpec();
        if (spec == null) {
            problems.add("spec is missing");
            return problems;
        }
        String name = ldb.getMetadata().getName();
        if (name.length() > 40) {
            problems.add("metadata.name must be at most 40 characters");
        }
        if (!KubernetesSyntax.isDns1035Label(name)) {
            problems.add("metadata.name must be a DNS-1035 label (lower case letters, digits and '-', starting with a "
                    + "letter): it names the cluster's Services");
        }
        if (spec.getTls() != null && (name + "-tls").equals(spec.getTls().getServerSecretName())) {
            problems.add("tls.serverSecretName must not be " + name + "-tls: that is the Secret the operator issues its "
                    + "own certificate into; give your Secret another name");
        }
        range(problems, "replicas", spec.getReplicas(), 0, 15);
        if (spec.getPostgres() == null || spec.getPooler() == null || spec.getBootstrap() == null) {
            problems.add("postgres, pooler and bootstrap may not be null");
            return problems;
        }
        range(problems, "postgres.version", spec.getPostgres().getVersion(), 14, 17);
        downgrade(ldb).ifPresent(problems::add);
        var storage = spec.getPostgres().getStorage();
        if (storage == null || storage.getSize() == null || !SIZE.matcher(storage.getSize()).matches()) {
            problems.add("postgres.storage.size must be a quantity such as 10Gi");
        } else if (Quantity.getAmountInBytes(new Quantity(storage.getSize())).signum() <= 0) {
            problems.add("postgres.storage.size must be greater than zero");
        }
        if (storage != null && storage.getStorageClassName() != null
                && !KubernetesSyntax.isDnsSubdomain(storage.getStorageClassName())) {
            problems.add("postgres.storage.storageClassName '" + storage.getStorageClassName()
                    + "' must be a DNS-1123 subdomain (lower case letters, digits, '-' and '.')");
        }
        problems.addAll(KubernetesSyntax.resources("postgres.resources", spec.getPostgres().getResources()));
        problems.addAll(KubernetesSyntax.resources("pooler.resources", spec.getPooler().getResources()));
        if (spec.getNetworkPolicy() != null) {
            problems.addAll(KubernetesSyntax.networkPolicyPeers("networkPolicy.poolerFrom",
                    spec.getNetworkPolicy().getPoolerFrom()));
        }
        parameters(problems, "postgres.parameters", spec.getPostgres().getParameters(), ManagedSettings.postgres());
        if (spec.getReplication() != null && spec.getReplication().getSynchronousReplicas() > 0
                && spec.getPostgres().getParameters() != null
                && spec.getPostgres().getParameters().containsKey("synchronous_commit")) {
            problems.add("postgres.parameters.synchronous_commit is managed by the operator while "
                    + "replication.synchronousReplicas is set: an acknowledged commit must be flushed on the synchronous replicas");
        }
        var pooler = spec.getPooler();
        range(problems, "pooler.instances", pooler.getInstances(), 1, 10);
        range(problems, "pooler.defaultPoolSize", pooler.getDefaultPoolSize(), 1, 10000);
        range(problems, "pooler.maxClientConnections", pooler.getMaxClientConnections(), 10, 100000);
        if (pooler.getPoolMode() == null) {
            problems.add("pooler.poolMode must be session, transaction or statement");
        }
        parameters(problems, "pooler.parameters", pooler.getParameters(), ManagedSettings.pooler());
        var bootstrap = spec.getBootstrap();
        identifier(problems, "bootstrap.database", bootstrap.getDatabase());
        identifier(problems, "bootstrap.owner", bootstrap.getOwner());
        if (List.of("postgres", "template0", "template1").contains(bootstrap.getDatabase())) {
            problems.add("bootstrap.database may not be a system database");
        }
        if (ManagedSettings.reservedRoles().contains(bootstrap.getOwner())) {
            problems.add("bootstrap.owner may not be a role the operator manages: " + ManagedSettings.RESERVED_ROLES_LIST);
        }
        if (bootstrap.getInitSQL() != null && (bootstrap.getInitSQL().getName() == null
                || bootstrap.getInitSQL().getName().isBlank())) {
            problems.add("bootstrap.initSQL.name is required");
        }
        if (spec.getReplication() != null && spec.getReplication().getSynchronousReplicas() > spec.getReplicas()) {
            problems.add("replication.synchronousReplicas cannot exceed replicas: commits would wait forever");
        }
        schedules(problems, ldb);
        recovery(problems, ldb);
        return problems;
    }

    private static void schedules(List<String> problems, LearningDatabase ldb) {
        var spec = ldb.getSpec();
        if (spec.getPartitioning() != null) {
            cron(problems, "partitioning", spec.getPartitioning().getSchedule(), spec.getPartitioning().getTimeZone());
            if (spec.getPartitioning().getTables() == null || spec.getPartitioning().getTables().isEmpty()) {
                problems.add("partitioning.tables must list at least one table");
            } else {
                for (var t : spec.getPartitioning().getTables()) {
                    if (t.getTable() == null || t.getColumn() == null) {
                        problems.add("partitioning.tables: table and column are required");
                    }
                }
            }
        }
        if (spec.getMaterializedViews() != null) {
            cron(problems, "materializedViews", spec.getMaterializedViews().getSchedule(),
                    spec.getMaterializedViews().getTimeZone());
        }
        if (spec.getMaintenance() != null && spec.getMaintenance().getVacuum() != null) {
            cron(problems, "maintenance.vacuum", spec.getMaintenance().getVacuum().getSchedule(),
                    spec.getMaintenance().getVacuum().getTimeZone());
        }
        if (spec.getBackup() != null) {
            cron(problems, "backup", spec.getBackup().getSchedule(), spec.getBackup().getTimeZone());
        }
    }

    /**
     * A restored cluster archives into its own path and never into the source's: a recovery whose source path is this
     * cluster's own path in the same store (restoring a cluster into itself, same name and namespace) is refused.
     */
    static void recovery(List<String> problems, LearningDatabase ldb) {
        var recovery = io.learningdb.operator.resources.BackupConfig.recovery(ldb);
        if (recovery == null) {
            return;
        }
        var store = io.learningdb.operator.resources.BackupConfig.recoveryStore(ldb);
        if (store == null) {
            problems.add("bootstrap.recovery needs the store of the source's backups: bootstrap.recovery.store or backup.store");
            return;
        }
        var own = ldb.getSpec().getBackup() == null ? null : ldb.getSpec().getBackup().getStore();
        if (own != null && own.getEndpoint().equals(store.getEndpoint()) && own.getBucket().equals(store.getBucket())
                && io.learningdb.operator.resources.BackupConfig.repoPath(ldb)
                        .equals(io.learningdb.operator.resources.BackupConfig.recoverySourcePath(ldb))) {
            problems.add("bootstrap.recovery.source is this cluster itself: a restored cluster must archive into its own "
                    + "repository path, not the source's; give the new cluster another name (or namespace)");
        }
    }

    /** Fields in range and a real time zone, as the CronJob controller parses them: not a regex. */
    private static void cron(List<String> problems, String block, String schedule, String timeZone) {
        KubernetesSyntax.cron(block + ".schedule", schedule).ifPresent(problems::add);
        KubernetesSyntax.timeZone(block + ".timeZone", timeZone).ifPresent(problems::add);
    }

    private static void range(List<String> problems, String field, int value, int min, int max) {
        if (value < min || value > max) {
            problems.add(field + " must be between " + min + " and " + max + " (got " + value + ")");
        }
    }

    private static void identifier(List<String> problems, String field, String value) {
        if (value == null || !IDENTIFIER.matcher(value).matches()) {
            problems.add(field + " must match " + IDENTIFIER.pattern() + " (got " + value + ")");
        }
    }

    private static void parameters(List<String> problems, String field, Map<String, String> params, List<String> managed) {
        if (params == null) {
            return;
        }
        params.forEach((k, v) -> {
            if (managed.contains(k)) {
                problems.add(field + "." + k + " is managed by the operator and may not be set");
            } else if (!KEY.matcher(k).matches()) {
                problems.add(field + ": '" + k + "' is not a valid setting name");
            }
            if (v == null || v.contains("\n") || v.contains("\r")) {
                problems.add(field + "." + k + " must be a single-line value");
            }
        });
    }

    /**
     * Admission cannot see the major the data is on (status), so the operator refuses what would go below it: a
     * version under the one the data is on, or under the target of an upgrade under way. Lowering a raise that has
     * not started (held) is allowed: it withdraws it.
     */
    static java.util.Optional<String> downgrade(LearningDatabase ldb) {
        var status = ldb.getStatus();
        int wanted = ldb.getSpec().getPostgres().getVersion();
        if (status == null) {
            return java.util.Optional.empty();
        }
        var upgrade = status.getMajorUpgrade();
        if (MajorUpgrades.underWay(upgrade) && upgrade.getTo() != null && wanted < upgrade.getTo()) {
            return java.util.Optional.of("postgres.version cannot go below " + upgrade.getTo() + " while the major upgrade "
                    + "to it is under way (" + upgrade.getPhase() + "); set it back to " + upgrade.getTo());
        }
        Integer served = status.getPostgresVersion();
        if (served != null && wanted < served) {
            return java.util.Optional.of("postgres.version " + wanted + " is below the " + served + " the data is on: a "
                    + "data directory is never downgraded in place; set it back to " + served);
        }
        return java.util.Optional.empty();
    }
}
