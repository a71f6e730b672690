package io.learningdb.operator.dependent;

import java.util.List;
import java.util.Optional;

import io.fabric8.kubernetes.api.model.Secret;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.learningdb.operator.model.LearningDatabase;
import io.learningdb.operator.resources.TlsSecrets;

/**
 * The fingerprint of the server certificate the pods mount, which every pod must report loaded (a CA rotation waits
 * for it, and so does a pooler reload): operator-issued certificates are read
 * from the Secret informer's cache; a user-provided Secret is read once per reconcile (it is not labelled as ours, so
 * not cached) by {@link #checkUserSecret}, which also refuses a missing or incomplete one.
 */
public final class TlsFingerprint {

    private static final String KEY = "learningdb.user-tls-fingerprint";

    private TlsFingerprint() {
    }

    public static String of(LearningDatabase ldb, Context<LearningDatabase> context) {
        if (!TlsSecrets.enabled(ldb)) {
            return null;
        }
        if (TlsSecrets.operatorIssued(ldb)) {
            return TlsSecrets.fingerprint(
                    ServerTlsSecretDependent.cached(context, TlsSecrets.issuedSecret(ldb), ldb).orElse(null));
        }
        return context.managedWorkflowAndDependentResourceContext().get(KEY, String.class).orElse("none");
    }

    /** Empty when no user Secret is configured or it is complete; otherwise what is wrong with it. */
    public static Optional<String> checkUserSecret(LearningDatabase ldb, Context<LearningDatabase> context) {
        if (!TlsSecrets.enabled(ldb) || TlsSecrets.operatorIssued(ldb)) {
            return Optional.empty();
        }
        String name = TlsSecrets.serverSecret(ldb);
        Secret secret = context.getClient().secrets().inNamespace(ldb.getMetadata().getNamespace()).withName(name).get();
        if (secret == null) {
            return Optional.of("tls.serverSecretName: Secret " + name + " not found in namespace "
                    + ldb.getMetadata().getNamespace() + "; the cluster is created once it exists");
        }
        var missing = List.of(TlsSecrets.TLS_CRT, TlsSecrets.TLS_KEY, TlsSecrets.CA_CRT).stream()
                .filter(k -> secret.getData() == null || !secret.getData().containsKey(k)).toList();
        if (!missing.isEmpty()) {
            return Optional.of("tls.serverSecretName: Secret " + name + " lacks " + String.join(", ", missing));
        }
        context.managedWorkflowAndDependentResourceContext().put(KEY, TlsSecrets.fingerprint(secret));
        return Optional.empty();
    }
}
