package io.learningdb.operator.replication;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.polling.PerResourcePollingEventSource;
import io.learningdb.operator.model.LearningDatabase;
import io.learningdb.operator.postgres.Login;
import io.learningdb.operator.postgres.ReplicaLag;
import io.learningdb.operator.postgres.ReplicationProbe;
import io.learningdb.operator.postgres.ReplicationSnapshot;
import io.learningdb.operator.resources.BackupConfig;
import io.learningdb.operator.resources.Names;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;

/**
 * Measures replication of every registered cluster on the lag event source's own threads (never a reconcile
 * thread) and exports the raw values as Prometheus gauges. What it returns to the event source is quantized, so
 * only a change at the reporting resolution triggers a reconcile and a status write.
 */
@ApplicationScoped
public class ReplicationMonitor implements PerResourcePollingEventSource.ResourceFetcher<ReplicationSnapshot, LearningDatabase> {

    private static final Logger LOG = Logger.getLogger(ReplicationMonitor.class);
    /** Until a cluster's primary has been ready once, look again soon (an in-memory check, no database access). */
    static final Duration NOT_REGISTERED_RECHECK = Duration.ofSeconds(2);

    /** What to measure for one cluster; registered by the reconciler once its primary pod is ready. */
    record Target(String primary, List<String> replicas, Login login) {
    }

    private final Map<ResourceID, Target> targets = new ConcurrentHashMap<>();
    /** The ready pooler pods of a cluster and the pooler's own login (admin_users), for {@link #exportPoolers}. */
    record Poolers(List<String> pods, Login login) {
    }

    private final Map<ResourceID, Poolers> poolers = new ConcurrentHashMap<>();
    /** A pooler pod whose console did not answer is not asked again before this (a timeout costs the poll 3 s). */
    static final Duration POOLER_RETRY = Duration.ofMinutes(1);
    private final Map<String, Instant> poolerRetryAt = new ConcurrentHashMap<>();
    /**
     * Per pooler pod (namespace/cluster/pod): its admin console, logged in once and kept: a new TLS handshake and SCRAM
     * login at every poll cost the operator ~7 ms of CPU per pod (bench/results/pooler-metrics.md).
     */
    private final Map<String, io.learningdb.operator.postgres.PoolerAdmin.Session> poolerSessions = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> gaugeValues = new ConcurrentHashMap<>();
    private final Map<ResourceID, io.learningdb.operator.postgres.ArchiverView> reportedArchiver = new ConcurrentHashMap<>();
    static final Duration ARCHIVER_HOLD = Duration.ofMinutes(5);
    private final Map<ResourceID, Set<String>> gaugeKeys = new ConcurrentHashMap<>();

    @Inject
    InstanceAddresses addresses;

    @Inject
    MeterRegistry meters;

    @Inject
    Databases databases;

    /** Records what to measure for a cluster (cheap and idempotent: called on every reconcile). */
    public void register(LearningDatabase ldb, String primary, Login login) {
        targets.put(ResourceID.fromResource(ldb), new Target(primary, Names.otherInstances(ldb, primary), login));
    }

    /**
     * Records which pooler pods to read pool saturation from (the ready ones; none: no pooler gauges), with the
     * pooler's own login. Cheap and idempotent: called on every reconcile.
     */
    public void registerPoolers(LearningDatabase ldb, List<String> readyPods, Login login) {
        poolers.put(ResourceID.fromResource(ldb), new Poolers(List.copyOf(readyPods), login));
    }

    /** What is measured for a cluster: its primary, replicas and login (empty until registered). */
    Optional<Target> target(ResourceID id) {
        return Optional.ofNullable(targets.get(id));
    }

    public boolean registered(LearningDatabase ldb) {
        return targets.containsKey(ResourceID.fromResource(ldb));
    }

    @Override
    public Set<ReplicationSnapshot> fetchResources(LearningDatabase ldb) {
        var id = ResourceID.fromResource(ldb);
        Target target = targets.get(id);
        if (target == null) {
            return Set.of();
        }
        var pools = databases.pools();
        pools.evictIdle(Duration.ofMinutes(5));
        var snapshot = ReplicationProbe.measure(pools, target.login(),
                instance(ldb, target.primary()), target.replicas().stream().map(r -> instance(ldb, r)).toList(),
                ldb.getSpec().getBackup() != null ? BackupConfig.ARCHIVE_ERROR_DIR : null);
        export(ldb, snapshot);
        var pooler = poolers.get(id);
        if (pooler != null) {
            var endpoints = new java.util.TreeMap<String, io.learningdb.operator.postgres.Endpoint>();
            for (String pod : pooler.pods()) {
                try {
                    endpoints.put(pod, addresses.ofPooler(ldb, pod));
                } catch (RuntimeException e) {
                    LOG.debugf("%s: no address for %s: %s", id, pod, e.getMessage()); // a port-forward that failed
                }
            }
            exportPoolers(ldb, endpoints, pooler.login());
        }
        if (snapshot.archiver() != null) {
            exportArchiver(ldb, snapshot.archiver());
            // status follows archiving at ARCHIVER_HOLD resolution; the gauges have every value
            snapshot = snapshot.withArchiver(reportedArchiver.merge(id, snapshot.archiver(), (before, now) -> now.heldFrom(before, ARCHIVER_HOLD)));
        }
        if (!snapshot.reachable()) {
            LOG.debugf("%s: replication not measured: %s", id, snapshot.error());
        }
        return Set.of(snapshot.quantized());
    }

    @Override
    public Optional<Duration> fetchDelay(Set<ReplicationSnapshot> last, LearningDatabase ldb) {
        if (!registered(ldb) || last == null || last.isEmpty()) {
            return Optional.of(NOT_REGISTERED_RECHECK); // the first measurement follows registration closely
        }
        return Optional.of(pollInterval(ldb));
    }

    public static Duration pollInterval(LearningDatabase ldb) {
        String interval = ldb.getSpec().getReplicationLag().getPollInterval();
        try {
            long n = Long.parseLong(interval.substring(0, interval.length() - 1));
            return interval.endsWith("m") ? Duration.ofMinutes(n) : Duration.ofSeconds(n);
        } catch (RuntimeException e) {
            return Duration.ofSeconds(10);
        }
    }

    private final java.util.List<java.util.function.Consumer<ResourceID>> forgetting = new java.util.concurrent.CopyOnWriteArrayList<>();

    /** Also told when a cluster is deleted (what the reconciler keeps per cluster). */
    public void onForget(java.util.function.Consumer<ResourceID> listener) {
        forgetting.add(listener);
    }

    /** Stops measuring a deleted cluster and removes its gauges. */
    public void forget(ResourceID id) {
        forgetting.forEach(l -> l.accept(id));
        targets.remove(id);
        var pooler = poolers.remove(id);
        if (pooler != null) {
            pooler.pods().forEach(pod -> poolerRetryAt.remove(id.getNamespace().orElse("") + "/" + pod));
        }
        String prefix = id.getNamespace().orElse("") + "/" + id.getName() + "/";
        Set.copyOf(poolerSessions.keySet()).stream().filter(k -> k.startsWith(prefix)).forEach(this::closeSession);
        reportedArchiver.remove(id);
        addresses.forget(id.getNamespace().orElse(""), id.getName());
        Set<String> keys = gaugeKeys.remove(id);
        if (keys != null) {
            keys.forEach(this::removeGauge);
        }
    }

    private ReplicationProbe.Instance instance(LearningDatabase ldb, String pod) {
        return new ReplicationProbe.Instance(pod, addresses.of(ldb, pod), Names.slotName(pod));
    }

    /** Raw values to gauges; a replica no longer measured loses its gauges. Unreachable: gauges keep last values. */
    void export(LearningDatabase ldb, ReplicationSnapshot snapshot) {
        var id = ResourceID.fromResource(ldb);
        String ns = ldb.getMetadata().getNamespace();
        String cluster = ldb.getMetadata().getName();
        var keys = gaugeKeys.computeIfAbsent(id, k -> ConcurrentHashMap.newKeySet());
        gauge(keys, "learningdb.replicas.desired", Tags.of("namespace", ns, "cluster", cluster), ldb.getSpec().getReplicas());
        if (!snapshot.reachable()) {
            return;
        }
        var current = ConcurrentHashMap.<String>newKeySet();
        long streaming = snapshot.replicas().stream().filter(r -> "streaming".equals(r.state())).count();
        current.add(gauge(keys, "learningdb.replicas.streaming", Tags.of("namespace", ns, "cluster", cluster), streaming));
        current.add(key("learningdb.replicas.desired", Tags.of("namespace", ns, "cluster", cluster)));
        for (ReplicaLag r : snapshot.replicas()) {
            var tags = Tags.of("namespace", ns, "cluster", cluster, "replica", r.name());
            current.add(gauge(keys, "learningdb.replication.lag.bytes", tags, r.lagBytes()));
            current.add(gauge(keys, "learningdb.replication.lag.seconds", tags, Math.round(r.lagSeconds())));
        }
        for (String key : Set.copyOf(keys)) {
            // only the replication gauges measured here; archiving and backup gauges have their own lifecycle
            if (key.startsWith("learningdb.replica") && !current.contains(key)) {
                keys.remove(key);
                removeGauge(key);
            }
        }
    }

    /**
     * Pool saturation of every ready pooler pod, per pool (database and user), from its admin console (one connection per pod per
     * poll; SHOW POOLS and SHOW DATABASES are counters in PgBouncer's memory, nothing reaches PostgreSQL). A pod that
     * does not answer loses its gauges until it answers again: a stale "0 clients waiting" would hide a saturated pool.
     */
    void exportPoolers(LearningDatabase ldb, Map<String, io.learningdb.operator.postgres.Endpoint> pods, Login login) {
        var keys = gaugeKeys.computeIfAbsent(ResourceID.fromResource(ldb), k -> ConcurrentHashMap.newKeySet());
        var current = ConcurrentHashMap.<String>newKeySet();
        String ns = ldb.getMetadata().getNamespace();
        String cluster = ldb.getMetadata().getName();
        String prefix = ns + "/" + cluster + "/";
        for (String sessionKey : Set.copyOf(poolerSessions.keySet())) {
            if (sessionKey.startsWith(prefix) && !pods.containsKey(sessionKey.substring(prefix.length()))) {
                closeSession(sessionKey); // a pod scaled away
            }
        }
        for (var e : pods.entrySet()) {
            String pod = e.getKey();
            String retryKey = ns + "/" + pod;
            Instant retryAt = poolerRetryAt.get(retryKey);
            if (retryAt != null && Instant.now().isBefore(retryAt)) {
                continue;
            }
            try {
                for (var p : poolerStats(prefix + pod, e.getValue(), login)) {
                    var tags = Tags.of("namespace", ns, "cluster", cluster, "pod", pod, "database", p.database(), "user", p.user());
                    current.add(gauge(keys, "learningdb.pooler.clients.active", tags, p.clientsActive()));
                    current.add(gauge(keys, "learningdb.pooler.clients.waiting", tags, p.clientsWaiting()));
                    current.add(gauge(keys, "learningdb.pooler.max.wait.seconds", tags, p.maxWaitMicros(), 1e-6));
                    current.add(gauge(keys, "learningdb.pooler.servers.active", tags, p.serversActive()));
                    current.add(gauge(keys, "learningdb.pooler.servers.idle", tags, p.serversIdle()));
                    current.add(gauge(keys, "learningdb.pooler.servers.login", tags, p.serversLogin()));
                    current.add(gauge(keys, "learningdb.pooler.pool.size", tags, p.poolSize()));
                }
                poolerRetryAt.remove(retryKey);
            } catch (java.sql.SQLException | RuntimeException failure) {
                poolerRetryAt.put(retryKey, Instant.now().plus(POOLER_RETRY));
                LOG.debugf("%s/%s: pool saturation of %s not read (asked again in %s): %s", ns, cluster, pod,
                        POOLER_RETRY, failure.getMessage());
            }
        }
        for (String key : Set.copyOf(keys)) {
            if (key.startsWith("learningdb.pooler.") && !current.contains(key)) {
                keys.remove(key);
                removeGauge(key);
            }
        }
    }

    /**
     * Reads a pooler pod over its kept session; a session that fails (the pod restarted, a new address) is replaced
     * once at once, so only a pod that cannot be reached at all waits for {@link #POOLER_RETRY}.
     */
    private List<io.learningdb.operator.postgres.PoolerStats> poolerStats(String sessionKey,
            io.learningdb.operator.postgres.Endpoint endpoint, Login login) throws java.sql.SQLException {
        var session = poolerSessions.get(sessionKey);
        if (session != null && (session.broken() || !session.endpoint().equals(endpoint))) {
            closeSession(sessionKey);
            session = null;
        }
        if (session != null) {
            try {
                return io.learningdb.operator.postgres.PoolerStats.read(session);
            } catch (java.sql.SQLException | RuntimeException e) {
                closeSession(sessionKey);
            }
        }
        var fresh = io.learningdb.operator.postgres.PoolerAdmin.Session.open(endpoint, login);
        poolerSessions.put(sessionKey, fresh);
        try {
            return io.learningdb.operator.postgres.PoolerStats.read(fresh);
        } catch (java.sql.SQLException | RuntimeException e) {
            closeSession(sessionKey);
            throw e;
        }
    }

    private void closeSession(String sessionKey) {
        var session = poolerSessions.remove(sessionKey);
        if (session != null) {
            session.close();
        }
    }

    /** Archiving as gauges: when the last segment was archived (time() minus it is its age) and whether it fails. */
    void exportArchiver(LearningDatabase ldb, io.learningdb.operator.postgres.ArchiverView a) {
        var keys = gaugeKeys.computeIfAbsent(ResourceID.fromResource(ldb), k -> ConcurrentHashMap.newKeySet());
        var tags = Tags.of("namespace", ldb.getMetadata().getNamespace(), "cluster", ldb.getMetadata().getName());
        if (a.lastArchivedAt() != null) {
            gauge(keys, "learningdb.wal.last.archived.timestamp.seconds", tags, a.lastArchivedAt().getEpochSecond());
        }
        gauge(keys, "learningdb.wal.archiving.failing", tags, a.failing() ? 1 : 0);
    }

    /** The completion time of the cluster's newest base backup (time() minus it is the backup's age). */
    public void exportLastBackup(LearningDatabase ldb, Instant completedAt) {
        var keys = gaugeKeys.computeIfAbsent(ResourceID.fromResource(ldb), k -> ConcurrentHashMap.newKeySet());
        gauge(keys, "learningdb.backup.last.completed.timestamp.seconds",
                Tags.of("namespace", ldb.getMetadata().getNamespace(), "cluster", ldb.getMetadata().getName()),
                completedAt.getEpochSecond());
    }

    /**
     * 1 while applying the cluster's objects fails (its Ready condition says why), else 0. Such a failure is in the
     * status, not thrown, so JOSDK's reconcile failure counter does not see it.
     */
    public void exportApplyFailing(LearningDatabase ldb, boolean failing) {
        var keys = gaugeKeys.computeIfAbsent(ResourceID.fromResource(ldb), k -> ConcurrentHashMap.newKeySet());
        gauge(keys, "learningdb.apply.failing",
                Tags.of("namespace", ldb.getMetadata().getNamespace(), "cluster", ldb.getMetadata().getName()),
                failing ? 1 : 0);
    }

    private String gauge(Set<String> keys, String name, Tags tags, long value) {
        return gauge(keys, name, tags, value, 1);
    }

    /** A gauge of {@code value * scale} (microseconds exported as seconds, say). */
    private String gauge(Set<String> keys, String name, Tags tags, long value, double scale) {
        String key = key(name, tags);
        gaugeValues.computeIfAbsent(key, k -> {
            var holder = new AtomicLong();
            Gauge.builder(name, holder, h -> h.get() * scale).tags(tags).strongReference(true).register(meters);
            return holder;
        }).set(value);
        keys.add(key);
        return key;
    }

    private void removeGauge(String key) {
        if (gaugeValues.remove(key) != null) {
            int sep = key.indexOf('|');
            String name = key.substring(0, sep);
            meters.find(name).gauges().stream()
                    .filter(g -> key(name, Tags.of(g.getId().getTags())).equals(key))
                    .forEach(meters::remove);
        }
    }

    private static String key(String name, Tags tags) {
        var sb = new StringBuilder(name).append('|');
        tags.stream().forEach(t -> sb.append(t.getKey()).append('=').append(t.getValue()).append(','));
        return sb.toString();
    }
}
