package io.learningdb.operator.dependent;

import java.time.Instant;
import java.util.Optional;

import jakarta.inject.Inject;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.learningdb.operator.config.OperatorConfig;
import io.learningdb.operator.model.LearningDatabase;
import io.learningdb.operator.resources.Certificates;
import io.learningdb.operator.resources.TlsRotation;
import io.learningdb.operator.resources.TlsSecrets;

/**
 * Secret {@code <name>-tls}: the server certificate and the CA bundle clients trust, as {@link TlsRotation} decides
 * from {@code <name>-ca}, the Secret as it is and whether every pod has loaded it (the reconciler puts that in the
 * workflow context under {@link #LOADED}; the decision is left under {@link #DECISION} for status and events). Pods
 * install a changed Secret and reload: nothing restarts for a new certificate or CA.
 */
public class ServerTlsSecretDependent extends NamedDependent<Secret> {

    /** Boolean: every instance and pooler pod runs the current {@code <name>-tls}. */
    public static final String LOADED = "learningdb.io/tls-loaded";
    /** The {@link TlsRotation.Decision} of this reconcile. */
    public static final String DECISION = "learningdb.io/tls-decision";

    @Inject
    OperatorConfig config;

    public ServerTlsSecretDependent() {
        super(Secret.class);
    }

    @Override
    protected String name(LearningDatabase ldb) {
        return TlsSecrets.issuedSecret(ldb);
    }

    @Override
    protected Secret desired(LearningDatabase ldb, Context<LearningDatabase> context) {
        var shared = context.managedWorkflowAndDependentResourceContext();
        // one decision per reconcile: a new certificate has a new key every time it is issued
        var decided = shared.get(DECISION, TlsRotation.Decision.class);
        if (decided.isPresent()) {
            return decided.get().secret();
        }
        var ca = caOf(ldb, context);
        boolean loaded = shared.get(LOADED, Boolean.class).orElse(false);
        var decision = TlsRotation.decide(ldb, ca, getSecondaryResource(ldb, context), loaded,
                config.caTrustPeriod(), Instant.now());
        shared.put(DECISION, decision);
        return decision.secret();
    }

    /**
     * A Secret of that name the informer does not see (it caches only what carries this operator's labels) makes the
     * create answer 409. It is adopted, certificate kept, when this cluster's CA issued it; anyone else's is left as
     * it is and the cluster says whose it is, instead of posting it again at every reconcile.
     */
    @Override
    public Secret create(Secret desired, LearningDatabase ldb, Context<LearningDatabase> context) {
        try {
            return super.create(desired, ldb, context);
        } catch (KubernetesClientException e) {
            if (e.getCode() != 409) {
                throw e;
            }
            String name = desired.getMetadata().getName();
            var existing = context.getClient().secrets().inNamespace(ldb.getMetadata().getNamespace()).withName(name);
            Secret current = existing.get();
            if (current == null) {
                throw e; // gone meanwhile: the next reconcile creates it
            }
            var shared = context.managedWorkflowAndDependentResourceContext();
            var ca = caOf(ldb, context);
            if (!TlsRotation.issuedBy(current, ca) || Ownership.controlledByOther(current, ldb)) {
                // no event of a certificate that was never issued
                shared.put(DECISION, new TlsRotation.Decision(current, TlsRotation.Phase.STEADY, "", Optional.empty(),
                        Optional.empty()));
                throw new SecretConflict("Secret " + name + " already exists and was not issued by this cluster (its "
                        + "certificate is not signed by " + TlsSecrets.caSecret(ldb) + "): the operator never overwrites "
                        + "it, and the cluster's own certificate can go nowhere else. Move that Secret to another name (a "
                        + "certificate meant for this cluster can then be served with spec.tls.serverSecretName) or "
                        + "delete it.");
            }
            Secret adopted = Ownership.adopt(existing, ldb, desired.getMetadata().getLabels());
            shared.put(DECISION, new TlsRotation.Decision(adopted, TlsRotation.Phase.STEADY, "Secret " + name
                    + " existed without this operator's labels; its certificate is this cluster's (" + TlsSecrets.caSecret(ldb)
                    + "), so it is kept and owned again", Optional.of(TlsRotation.ADOPTED), Optional.empty()));
            return adopted;
        }
    }

    private static Certificates.Pem caOf(LearningDatabase ldb, Context<LearningDatabase> context) {
        Secret caSecret = cached(context, TlsSecrets.caSecret(ldb), ldb)
                .orElseThrow(() -> new IllegalStateException("CA Secret " + TlsSecrets.caSecret(ldb) + " is not ready yet"));
        return new Certificates.Pem(TlsSecrets.decode(caSecret, TlsSecrets.CA_CRT),
                TlsSecrets.decode(caSecret, TlsSecrets.CA_KEY));
    }

    static Optional<Secret> cached(Context<LearningDatabase> context, String name, LearningDatabase ldb) {
        return context.getSecondaryResources(Secret.class).stream()
                .filter(s -> name.equals(s.getMetadata().getName())
                        && ldb.getMetadata().getNamespace().equals(s.getMetadata().getNamespace()))
                .findFirst();
    }
}
