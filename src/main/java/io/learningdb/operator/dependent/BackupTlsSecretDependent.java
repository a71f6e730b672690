package io.learningdb.operator.dependent;

import java.time.Instant;

import io.fabric8.kubernetes.api.model.Secret;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.learningdb.operator.model.LearningDatabase;
import io.learningdb.operator.resources.BackupTls;
import io.learningdb.operator.resources.Names;

/** Secret {@code <name>-backup-tls}, issued once per cluster (with or without spec.backup, like the CA). */
public class BackupTlsSecretDependent extends CreateOnlySecretDependent {

    @Override
    protected String name(LearningDatabase ldb) {
        return Names.backupTlsSecret(ldb);
    }

    @Override
    protected Secret build(LearningDatabase ldb, String unused) {
        return BackupTls.build(ldb, Instant.now());
    }

    @Override
    protected String requiredKey() {
        return BackupTls.CLIENT_KEY;
    }
}
