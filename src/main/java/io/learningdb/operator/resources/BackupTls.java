package io.learningdb.operator.resources;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.fabric8.kubernetes.api.model.Secret;
import io.learningdb.operator.model.LearningDatabase;

/**
 * Secret {@code <name>-backup-tls}: a CA of its own (its key is not kept), the certificate of pgBackRest's TLS server
 * in the instance pods (named for {@code <name>-rw}) and the backup job's client certificate ({@link
 * BackupRepository#CLIENT_CN}). Independent of spec.tls: backups stay mutually authenticated when TLS to clients is
 * off or served from a user's certificate. Issued once; deleting the Secret issues a new set (pods and jobs pick it
 * up when they restart).
 */
public final class BackupTls {

    public static final String CA_CRT = "ca.crt";
    public static final String SERVER_CRT = "tls.crt";
    public static final String SERVER_KEY = "tls.key";
    public static final String CLIENT_CRT = "client.crt";
    public static final String CLIENT_KEY = "client.key";

    private BackupTls() {
    }

    /** The names the backup job may reach the primary's TLS server by. */
    public static List<String> serverNames(LearningDatabase ldb) {
        String rw = Names.readWriteService(ldb);
        String ns = ldb.getMetadata().getNamespace();
        return List.of(rw, rw + "." + ns, rw + "." + ns + ".svc", rw + "." + ns + ".svc." + TlsSecrets.CLUSTER_DOMAIN);
    }

    public static Secret build(LearningDatabase ldb, Instant now) {
        var ca = Certificates.newCa(ldb.getMetadata().getName() + "-backup-ca", now);
        var server = Certificates.newServer(ca, serverNames(ldb), now, Certificates.CA_VALIDITY);
        var client = Certificates.newServer(ca, List.of(BackupRepository.CLIENT_CN), now, Certificates.CA_VALIDITY);
        Map<String, String> data = new LinkedHashMap<>();
        data.put(CA_CRT, ca.certificate());
        data.put(SERVER_CRT, server.certificate());
        data.put(SERVER_KEY, server.privateKey());
        data.put(CLIENT_CRT, client.certificate());
        data.put(CLIENT_KEY, client.privateKey());
        return Credentials.secret(ldb, Names.backupTlsSecret(ldb), "Opaque", data);
    }

    static Duration validity() {
        return Certificates.CA_VALIDITY;
    }
}
