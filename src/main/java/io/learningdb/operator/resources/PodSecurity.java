package io.learningdb.operator.resources;

import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSecurityContextBuilder;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.SecurityContextBuilder;

/** Restricted pod security (non-root, no capabilities, RuntimeDefault seccomp) for every workload. */
public final class PodSecurity {

    /** uid/gid of the postgres user in the official postgres images. */
    public static final long POSTGRES_UID = 999L;
    /** PgBouncer needs no home or writable path: any uid works; fsGroup lets it read the userlist Secret. */
    public static final long POOLER_UID = 998L;

    private PodSecurity() {
    }

    public static PodSecurityContext pod(long uid) {
        return new PodSecurityContextBuilder()
                .withRunAsNonRoot(true)
                .withRunAsUser(uid).withRunAsGroup(uid).withFsGroup(uid).withFsGroupChangePolicy("OnRootMismatch")
                .withNewSeccompProfile().withType("RuntimeDefault").endSeccompProfile()
                .build();
    }

    public static SecurityContext container() {
        return new SecurityContextBuilder()
                .withRunAsNonRoot(true)
                .withAllowPrivilegeEscalation(false)
                .withReadOnlyRootFilesystem(true)
                .withPrivileged(false)
                .withNewCapabilities().withDrop("ALL").endCapabilities()
                .withNewSeccompProfile().withType("RuntimeDefault").endSeccompProfile()
                .build();
    }
}
