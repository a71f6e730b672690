package io.learningdb.operator.replication;

import java.time.Duration;
import java.util.Collections;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.atomic.AtomicInteger;

import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.polling.PerResourcePollingConfigurationBuilder;
import io.javaoperatorsdk.operator.processing.event.source.polling.PerResourcePollingEventSource;
import io.learningdb.operator.model.LearningDatabase;
import io.learningdb.operator.postgres.ReplicationSnapshot;

/**
 * Polls each LearningDatabase's replication on a small thread pool of its own, at the cluster's pollInterval, and
 * triggers a reconcile only when the (quantized) snapshot changed. Unlike the JOSDK default, reading it from a
 * reconcile never measures synchronously: before the first poll there is simply no snapshot.
 */
public class ReplicationEventSource extends PerResourcePollingEventSource<ReplicationSnapshot, LearningDatabase, String> {

    public static final String NAME = "replication";
    static final int THREADS = 4;

    private final ReplicationMonitor monitor;

    public ReplicationEventSource(EventSourceContext<LearningDatabase> context, ReplicationMonitor monitor) {
        super(ReplicationSnapshot.class, context,
                new PerResourcePollingConfigurationBuilder<ReplicationSnapshot, LearningDatabase, String>(monitor, Duration.ofSeconds(10))
                        .withName(NAME)
                        .withResourceIDMapper(s -> NAME)
                        .withExecutorService(executor())
                        .build());
        this.monitor = monitor;
    }

    private static ScheduledThreadPoolExecutor executor() {
        var counter = new AtomicInteger();
        var executor = new ScheduledThreadPoolExecutor(THREADS, r -> {
            var t = new Thread(r, "learningdb-lag-poll-" + counter.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        executor.setRemoveOnCancelPolicy(true);
        return executor;
    }

    @Override
    public Set<ReplicationSnapshot> getSecondaryResources(LearningDatabase primary) {
        var cached = cache.get(ResourceID.fromResource(primary));
        return cached == null ? Collections.emptySet() : new HashSet<>(cached.values());
    }

    @Override
    public void onResourceDeleted(LearningDatabase resource) {
        super.onResourceDeleted(resource);
        monitor.forget(ResourceID.fromResource(resource));
    }
}
