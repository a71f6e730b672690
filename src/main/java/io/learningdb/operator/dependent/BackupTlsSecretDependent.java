package io.learningdb.operator.dependent;

import java.time.Instant;

import io.fabric8.kubernetes.api.model.Secret;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.dependent.DependentResource;
import io.javaoperatorsdk.operator.processing.dependent.workflow.Condition;
import io.learningdb.operator.model.LearningDatabase;
import io.learningdb.operator.resources.BackupTls;
import io.learningdb.operator.resources.Names;

/** Secret {@code <name>-backup-tls}, issued once while spec.backup is set. */
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

    public static class Enabled implements Condition<Secret, LearningDatabase> {
        @Override
        public boolean isMet(DependentResource<Secret, LearningDatabase> dependent, LearningDatabase ldb,
                Context<LearningDatabase> context) {
            return ldb.getSpec().getBackup() != null;
        }
    }
}
