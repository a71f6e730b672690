package io.learningdb.operator.status;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;

/** Records Kubernetes Events (shown by kubectl describe). Only called on transitions, never every reconcile. */
@ApplicationScoped
public class EventRecorder {

    public static final String NORMAL = "Normal";
    public static final String WARNING = "Warning";
    private static final String COMPONENT = "learningdb-operator";
    private static final Logger LOG = Logger.getLogger(EventRecorder.class);

    private final AtomicLong sequence = new AtomicLong();

    @Inject
    KubernetesClient client;

    public void record(HasMetadata object, String type, String reason, String message) {
        String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
        String name = object.getMetadata().getName() + "." + Long.toHexString(System.currentTimeMillis())
                + Long.toHexString(sequence.incrementAndGet());
        try {
            client.v1().events().inNamespace(object.getMetadata().getNamespace()).resource(new EventBuilder()
                    .withNewMetadata().withName(name).withNamespace(object.getMetadata().getNamespace()).endMetadata()
                    .withNewInvolvedObject()
                    .withApiVersion(object.getApiVersion())
                    .withKind(object.getKind())
                    .withName(object.getMetadata().getName())
                    .withNamespace(object.getMetadata().getNamespace())
                    .withUid(object.getMetadata().getUid())
                    .endInvolvedObject()
                    .withType(type)
                    .withReason(reason)
                    .withMessage(message)
                    .withFirstTimestamp(now)
                    .withLastTimestamp(now)
                    .withCount(1)
                    .withNewSource().withComponent(COMPONENT).endSource()
                    .withReportingComponent(COMPONENT)
                    .build()).create();
        } catch (RuntimeException e) {
            // an event is a courtesy: never fail a reconcile because it could not be recorded
            LOG.warnf("could not record event %s for %s: %s", reason, object.getMetadata().getName(), e.getMessage());
        }
    }
}
