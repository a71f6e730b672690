package io.learningdb.operator.resources;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;

import io.fabric8.kubernetes.api.model.Secret;
import io.learningdb.operator.model.LearningDatabase;
import io.learningdb.operator.model.TlsSpec;

/**
 * TLS Secrets: {@code <name>-ca} (the cluster's private CA, created once, never rotated by the operator) and
 * {@code <name>-tls} (type kubernetes.io/tls: the server certificate of every instance and pooler pod, with ca.crt
 * for clients). A user-provided Secret (spec.tls.serverSecretName) replaces both.
 */
public final class TlsSecrets {

    public static final String CA_CRT = "ca.crt";
    public static final String CA_KEY = "ca.key";
    public static final String TLS_CRT = "tls.crt";
    public static final String TLS_KEY = "tls.key";
    public static final String MOUNT = "/etc/learningdb/tls";
    public static final String CLUSTER_DOMAIN = "cluster.local";

    private TlsSecrets() {
    }

    public static boolean enabled(LearningDatabase ldb) {
        TlsSpec tls = ldb.getSpec().getTls();
        return tls == null || tls.isEnabled();
    }

    public static boolean required(LearningDatabase ldb) {
        return enabled(ldb) && ldb.getSpec().getTls() != null && ldb.getSpec().getTls().isRequired();
    }

    /** The operator issues the certificates unless the user brings a Secret. */
    public static boolean operatorIssued(LearningDatabase ldb) {
        return enabled(ldb) && (ldb.getSpec().getTls() == null || ldb.getSpec().getTls().getServerSecretName() == null);
    }

    public static String caSecret(LearningDatabase ldb) {
        return ldb.getMetadata().getName() + "-ca";
    }

    /** The Secret the pods mount: the user's when spec.tls.serverSecretName is set, else {@link #issuedSecret}. */
    public static String serverSecret(LearningDatabase ldb) {
        TlsSpec tls = ldb.getSpec().getTls();
        return tls != null && tls.getServerSecretName() != null ? tls.getServerSecretName() : issuedSecret(ldb);
    }

    /** {@code <name>-tls}, the operator-issued server certificate (deleted when TLS is off or the user brings one). */
    public static String issuedSecret(LearningDatabase ldb) {
        return ldb.getMetadata().getName() + "-tls";
    }

    /** Every name a client may use to reach an instance or the pooler, short and fully qualified. */
    public static List<String> serverNames(LearningDatabase ldb) {
        String ns = ldb.getMetadata().getNamespace();
        var names = new ArrayList<String>();
        for (String svc : List.of(Names.readWriteService(ldb), Names.readOnlyService(ldb), Names.pooler(ldb))) {
            names.addAll(qualified(svc, ns));
        }
        for (String host : qualified(Names.headlessService(ldb), ns)) {
            names.add("*." + host);
        }
        return names;
    }

    private static List<String> qualified(String name, String ns) {
        return List.of(name, name + "." + ns, name + "." + ns + ".svc", name + "." + ns + ".svc." + CLUSTER_DOMAIN);
    }

    public static Secret ca(LearningDatabase ldb, Certificates.Pem ca) {
        var data = new LinkedHashMap<String, String>();
        data.put(CA_CRT, ca.certificate());
        data.put(CA_KEY, ca.privateKey());
        return Credentials.secret(ldb, caSecret(ldb), "Opaque", data);
    }

    public static Secret server(LearningDatabase ldb, String caCertificate, Certificates.Pem server) {
        var data = new LinkedHashMap<String, String>();
        data.put(TLS_CRT, server.certificate());
        data.put(TLS_KEY, server.privateKey());
        data.put(CA_CRT, caCertificate);
        return Credentials.secret(ldb, issuedSecret(ldb), "kubernetes.io/tls", data);
    }

    public static Certificates.Pem newCa(LearningDatabase ldb, Instant now) {
        return Certificates.newCa(ldb.getMetadata().getNamespace() + "/" + ldb.getMetadata().getName() + " CA", now);
    }

    /**
     * Short fingerprint of a server Secret's certificate and CA bundle: SHA-256 of tls.crt, NUL, ca.crt, NUL (the files'
     * bytes), first 16 hex digits. instance.sh and pooler.sh compute the same over the files they install, and the
     * pods report it: this is how the operator knows which Secret each pod has loaded.
     */
    public static String fingerprint(Secret secret) {
        if (secret == null || secret.getData() == null) {
            return "none";
        }
        try {
            var digest = MessageDigest.getInstance("SHA-256");
            for (String key : List.of(TLS_CRT, CA_CRT)) {
                String v = secret.getData().getOrDefault(key, "");
                digest.update(java.util.Base64.getDecoder().decode(v));
                digest.update((byte) 0);
            }
            return HexFormat.of().formatHex(digest.digest()).substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A value of the Secret, or null when it lacks the key. */
    public static String decode(Secret secret, String key) {
        return secret.getData() == null || !secret.getData().containsKey(key) ? null : Credentials.decode(secret, key);
    }
}
