package io.learningdb.operator.dependent;

import java.time.Instant;
import java.util.Optional;

import io.fabric8.kubernetes.api.model.Secret;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.learningdb.operator.model.LearningDatabase;
import io.learningdb.operator.resources.Certificates;
import io.learningdb.operator.resources.TlsSecrets;

/**
 * Secret {@code <name>-tls}: the server certificate, signed by {@code <name>-ca}. It stays as it is while it is signed
 * by the current CA, covers every service name and has more than 30 days left; otherwise a new one is issued (and
 * the pod templates' TLS fingerprint changes, so the pods roll onto it: replicas first, the primary after a
 * switchover).
 */
public class ServerTlsSecretDependent extends NamedDependent<Secret> {

    public ServerTlsSecretDependent() {
        super(Secret.class);
    }

    @Override
    protected String name(LearningDatabase ldb) {
        return TlsSecrets.issuedSecret(ldb);
    }

    @Override
    protected Secret desired(LearningDatabase ldb, Context<LearningDatabase> context) {
        Secret caSecret = cached(context, TlsSecrets.caSecret(ldb), ldb)
                .orElseThrow(() -> new IllegalStateException("CA Secret " + TlsSecrets.caSecret(ldb) + " is not ready yet"));
        String caCert = TlsSecrets.decode(caSecret, TlsSecrets.CA_CRT);
        var names = TlsSecrets.serverNames(ldb);
        Instant now = Instant.now();
        Optional<Secret> actual = getSecondaryResource(ldb, context);
        if (actual.isPresent()) {
            String cert = TlsSecrets.decode(actual.get(), TlsSecrets.TLS_CRT);
            String key = TlsSecrets.decode(actual.get(), TlsSecrets.TLS_KEY);
            if (cert != null && key != null && caCert.equals(TlsSecrets.decode(actual.get(), TlsSecrets.CA_CRT))
                    && Certificates.stillGood(cert, caCert, names, now)) {
                return TlsSecrets.server(ldb, caCert, new Certificates.Pem(cert, key));
            }
        }
        var ca = new Certificates.Pem(caCert, TlsSecrets.decode(caSecret, TlsSecrets.CA_KEY));
        return TlsSecrets.server(ldb, caCert, Certificates.newServer(ca, names, now));
    }

    static Optional<Secret> cached(Context<LearningDatabase> context, String name, LearningDatabase ldb) {
        return context.getSecondaryResources(Secret.class).stream()
                .filter(s -> name.equals(s.getMetadata().getName())
                        && ldb.getMetadata().getNamespace().equals(s.getMetadata().getNamespace()))
                .findFirst();
    }
}
