package io.learningdb.operator.dependent;

import java.time.Instant;

import io.fabric8.kubernetes.api.model.Secret;
import io.learningdb.operator.model.LearningDatabase;
import io.learningdb.operator.resources.TlsSecrets;

/**
 * Secret {@code <name>-ca}: the cluster's private CA, created once and never regenerated (clients pin its ca.crt).
 * An existing Secret of that name with a ca.key is adopted.
 */
public class CaSecretDependent extends CreateOnlySecretDependent {

    @Override
    protected String name(LearningDatabase ldb) {
        return TlsSecrets.caSecret(ldb);
    }

    /** A new CA (the generated password the base class offers is not used). */
    @Override
    protected Secret build(LearningDatabase ldb, String unused) {
        return TlsSecrets.ca(ldb, TlsSecrets.newCa(ldb, Instant.now()));
    }

    @Override
    protected String requiredKey() {
        return TlsSecrets.CA_KEY;
    }
}
