package io.learningdb.operator.replication;

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
import io.learningdb.operator.postgres.PrimaryHealth;

/** {@link PrimaryWatch} as an event source: a reconcile only when a primary's health changes. */
public class PrimaryWatchEventSource extends PerResourcePollingEventSource<PrimaryHealth, LearningDatabase, String> {

    public static final String NAME = "primary-watch";
    static final int THREADS = 4;

    private final PrimaryWatch watch;

    public PrimaryWatchEventSource(EventSourceContext<LearningDatabase> context, PrimaryWatch watch) {
        super(PrimaryHealth.class, context,
                new PerResourcePollingConfigurationBuilder<PrimaryHealth, LearningDatabase, String>(watch, PrimaryWatch.INTERVAL)
                        .withName(NAME)
                        .withResourceIDMapper(s -> NAME)
                        .withExecutorService(executor())
                        .build());
        this.watch = watch;
    }

    private static ScheduledThreadPoolExecutor executor() {
        var counter = new AtomicInteger();
        var executor = new ScheduledThreadPoolExecutor(THREADS, r -> {
            var t = new Thread(r, "learningdb-primary-watch-" + counter.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        executor.setRemoveOnCancelPolicy(true);
        return executor;
    }

    @Override
    public Set<PrimaryHealth> getSecondaryResources(LearningDatabase primary) {
        var cached = cache.get(ResourceID.fromResource(primary));
        return cached == null ? Collections.emptySet() : new HashSet<>(cached.values());
    }

    @Override
    public void onResourceDeleted(LearningDatabase resource) {
        super.onResourceDeleted(resource);
        watch.forget(ResourceID.fromResource(resource));
    }
}
