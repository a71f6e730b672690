package io.learningdb.operator.dependent;

import java.time.Instant;
import java.util.Optional;

import jakarta.inject.Inject;

import io.fabric8.kubernetes.api.model.Secret;
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
        Secret caSecret = cached(context, TlsSecrets.caSecret(ldb), ldb)
                .orElseThrow(() -> new IllegalStateException("CA Secret " + TlsSecrets.caSecret(ldb) + " is not ready yet"));
        var ca = new Certificates.Pem(TlsSecrets.decode(caSecret, TlsSecrets.CA_CRT),
                TlsSecrets.decode(caSecret, TlsSecrets.CA_KEY));
        boolean loaded = shared.get(LOADED, Boolean.class).orElse(false);
        var decision = TlsRotation.decide(ldb, ca, getSecondaryResource(ldb, context), loaded,
                config.caTrustPeriod(), Instant.now());
        shared.put(DECISION, decision);
        return decision.secret();
    }

    static Optional<Secret> cached(Context<LearningDatabase> context, String name, LearningDatabase ldb) {
        return context.getSecondaryResources(Secret.class).stream()
                .filter(s -> name.equals(s.getMetadata().getName())
                        && ldb.getMetadata().getNamespace().equals(s.getMetadata().getNamespace()))
                .findFirst();
    }
}
