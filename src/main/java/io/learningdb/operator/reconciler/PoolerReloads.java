package io.learningdb.operator.reconciler;

import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

import org.jboss.logging.Logger;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.learningdb.operator.dependent.TlsFingerprint;
import io.learningdb.operator.model.LearningDatabase;
import io.learningdb.operator.postgres.Login;
import io.learningdb.operator.postgres.PoolerReload;
import io.learningdb.operator.replication.InstanceAddresses;
import io.learningdb.operator.resources.ConfigHash;
import io.learningdb.operator.resources.Credentials;
import io.learningdb.operator.resources.Labels;
import io.learningdb.operator.resources.Names;
import io.learningdb.operator.resources.PoolerConfig;
import io.learningdb.operator.status.EventRecorder;
import io.learningdb.operator.status.StatusAggregator;

/**
 * Applies pgbouncer.ini changes to running pooler pods with RELOAD (clients stay connected), checking with SHOW CONFIG
 * that each pod runs the rendered settings. Which pod already runs which version is remembered per pod UID, so at
 * steady state nothing is sent; after an operator restart each pod is asked once. Only settings PgBouncer applies at
 * start ({@link PoolerConfig#RESTART_SETTINGS}) roll the pods, through the StatefulSet's template.
 */
final class PoolerReloads {

    private static final Logger LOG = Logger.getLogger(PoolerReloads.class);
    /** kubelet updates a mounted ConfigMap within about a minute: look again this often until it has. */
    static final Duration RECHECK = Duration.ofSeconds(10);


    /** Per cluster: pod UID to the settings version it was seen running. */
    private final Map<String, Map<String, String>> applied = new ConcurrentHashMap<>();

    /**
     * What is not applied yet, by pooler pod (empty when every ready pod runs the rendered settings), and the pods
     * whose admin console did not answer: those are asked again on the cluster's next reconcile, not on a timer (a
     * console the operator cannot reach is a broken setup, reported once; polling it would only cost CPU).
     */
    record Result(Map<String, String> pending, Map<String, String> unreachable) {
        Optional<Duration> recheck() {
            return pending.isEmpty() ? Optional.empty() : Optional.of(RECHECK);
        }
    }

    /** Per cluster: the pod UID and version last reported unreachable (one Warning event each). */
    private final Map<String, String> reportedUnreachable = new ConcurrentHashMap<>();

    /** Drops what is kept of a deleted cluster ({@code ns/name}). */
    void forget(String cluster) {
        applied.remove(cluster);
        reportedUnreachable.keySet().removeIf(k -> k.startsWith(cluster + "/"));
    }

    /** Clusters something is kept of (tests). */
    java.util.Set<String> tracked() {
        var out = new java.util.TreeSet<String>(applied.keySet());
        reportedUnreachable.keySet().forEach(k -> out.add(k.substring(0, k.indexOf('/', k.indexOf('/') + 1))));
        return out;
    }

    /**
     * The version a pooler pod must run: the rendered ini and, with TLS, the fingerprint of the TLS Secret it mounts
     * (pooler.sh loads a changed one by itself; SHOW CONFIG shows which one it has).
     */
    private static String version(LearningDatabase ldb, String tlsFingerprint) {
        return ConfigHash.of(PoolerConfig.pgbouncerIni(ldb, PoolerConfig.Endpoints.inCluster(ldb))) + "/" + tlsFingerprint;
    }

    static java.util.List<Pod> readyPods(Context<LearningDatabase> context) {
        return context.getSecondaryResourcesAsStream(Pod.class)
                .filter(p -> Labels.COMPONENT_POOLER.equals(p.getMetadata().getLabels().get(Labels.COMPONENT)))
                .filter(StatusAggregator::isReady)
                .toList();
    }

    /** Whether every ready pooler pod was last seen running the current ini and TLS files (a CA rotation waits for it). */
    boolean allLoaded(LearningDatabase ldb, Context<LearningDatabase> context) {
        String version = version(ldb, TlsFingerprint.of(ldb, context));
        var seen = applied.getOrDefault(LearningDatabaseReconciler.key(ldb), Map.of());
        return readyPods(context).stream().allMatch(p -> version.equals(seen.get(p.getMetadata().getUid())));
    }

    Result act(LearningDatabase ldb, Context<LearningDatabase> context, InstanceAddresses addresses, EventRecorder events) {
        String key = LearningDatabaseReconciler.key(ldb);
        var desired = PoolerConfig.settings(ldb, PoolerConfig.Endpoints.inCluster(ldb));
        String tls = TlsFingerprint.of(ldb, context);
        String version = version(ldb, tls);
        var pods = readyPods(context);
        var seen = applied.computeIfAbsent(key, k -> new ConcurrentHashMap<>());
        seen.keySet().retainAll(pods.stream().map(p -> p.getMetadata().getUid()).toList());
        var todo = pods.stream().filter(p -> !version.equals(seen.get(p.getMetadata().getUid()))).toList();
        var pending = new TreeMap<String, String>();
        var unreachable = new TreeMap<String, String>();
        if (todo.isEmpty()) {
            return new Result(pending, unreachable);
        }
        Optional<Login> login = login(ldb, context);
        if (login.isEmpty()) {
            return new Result(pending, unreachable); // the pooler's login is created with it: nothing runs without it
        }
        for (Pod pod : todo) {
            String name = pod.getMetadata().getName();
            try {
                var outcome = PoolerReload.apply(addresses.ofPooler(ldb, name), login.get(), desired,
                        PoolerConfig.NOT_RELOADED, tls);
                if (outcome instanceof PoolerReload.Pending p) {
                    pending.put(name, String.join(", ", p.differences()));
                    continue;
                }
                seen.put(pod.getMetadata().getUid(), version);
                if (outcome instanceof PoolerReload.Reloaded r) {
                    events.record(ldb, EventRecorder.NORMAL, "PoolerReloaded", "pgbouncer.ini reloaded on " + name
                            + " without disconnecting a client: " + String.join(", ", r.changes()));
                }
            } catch (SQLException | RuntimeException e) {
                // not reachable (or no address: a port-forward that failed): asked again later, never a failed reconcile
                unreachable.put(name, String.valueOf(e.getMessage()));
                LOG.debugf("%s: settings of %s not checked: %s", key, name, e.getMessage());
                String report = pod.getMetadata().getUid() + "/" + version;
                if (!report.equals(reportedUnreachable.put(key + "/" + name, report))) {
                    events.record(ldb, EventRecorder.WARNING, "PoolerConsoleUnreachable", "cannot check or reload the "
                            + "settings of " + name + " (asked again on the next reconcile): " + e.getMessage());
                }
            }
        }
        return new Result(pending, unreachable);
    }

    /** The pooler's own login, which PgBouncer lists in admin_users. */
    static Optional<Login> login(LearningDatabase ldb, Context<LearningDatabase> context) {
        return context.getSecondaryResourcesAsStream(Secret.class)
                .filter(s -> Names.poolerAuthSecret(ldb).equals(s.getMetadata().getName())).findFirst()
                .map(s -> new Login(Names.POOLER_AUTH_USER, Credentials.decode(s, Credentials.PASSWORD)));
    }

}
