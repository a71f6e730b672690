package io.learningdb.operator.resources;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.learningdb.operator.model.LearningDatabase;
import io.learningdb.operator.model.PoolMode;

/**
 * The generated credential Secrets. They are created once and never updated, so passwords are never regenerated;
 * a user may rotate one by editing the Secret (and the role's password) themselves.
 */
public final class Credentials {

    public static final String USERNAME = "username";
    public static final String PASSWORD = "password";

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final char[] ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".toCharArray();

    private Credentials() {
    }

    /** 32 characters from [A-Za-z0-9]: ~190 bits, and safe in URIs, pgpass and userlist.txt without escaping. */
    public static String generatePassword() {
        var sb = new StringBuilder(32);
        for (int i = 0; i < 32; i++) {
            sb.append(ALPHABET[RANDOM.nextInt(ALPHABET.length)]);
        }
        return sb.toString();
    }

    public static Secret superuser(LearningDatabase ldb, String password) {
        return secret(ldb, Names.superuserSecret(ldb), userAndPassword(Names.SUPERUSER, password));
    }

    public static Secret replication(LearningDatabase ldb, String password) {
        return secret(ldb, Names.replicationSecret(ldb), userAndPassword(Names.REPLICATION_USER, password));
    }

    /** The monitoring role the exporter sidecar logs in as. */
    public static Secret monitor(LearningDatabase ldb, String password) {
        return secret(ldb, Names.monitorSecret(ldb), userAndPassword(Names.MONITOR_USER, password));
    }

    /** The maintenance role the CronJobs log in as. */
    public static Secret maintenance(LearningDatabase ldb, String password) {
        return secret(ldb, Names.maintenanceSecret(ldb), userAndPassword(Names.MAINTENANCE_USER, password));
    }

    /** PgBouncer's auth_user; userlist.txt holds its plain password (a SCRAM secret there cannot log in). */
    public static Secret poolerAuth(LearningDatabase ldb, String password) {
        var data = userAndPassword(Names.POOLER_AUTH_USER, password);
        data.put(PoolerConfig.USERLIST, "\"" + Names.POOLER_AUTH_USER + "\" \"" + password + "\"\n");
        return secret(ldb, Names.poolerAuthSecret(ldb), data);
    }

    /** The application owner, with ready-to-use connection strings for the pooled, read/write and read-only services. */
    public static Secret app(LearningDatabase ldb, String password) {
        String user = ldb.getSpec().getBootstrap().getOwner();
        String db = ldb.getSpec().getBootstrap().getDatabase();
        String pooler = Names.serviceHost(ldb, Names.pooler(ldb));
        String rw = Names.serviceHost(ldb, Names.readWriteService(ldb));
        String ro = Names.serviceHost(ldb, Names.readOnlyService(ldb));
        var data = userAndPassword(user, password);
        data.put("dbname", db);
        data.put("host", pooler);
        data.put("port", Integer.toString(Names.POOLER_PORT));
        data.put("uri", uri(user, password, pooler, Names.POOLER_PORT, db));
        // PgBouncer in transaction/statement mode cannot keep server-side prepared statements across transactions
        String jdbcOptions = ldb.getSpec().getPooler().getPoolMode() == PoolMode.SESSION ? "" : "&prepareThreshold=0";
        data.put("jdbc-uri", "jdbc:postgresql://" + pooler + ":" + Names.POOLER_PORT + "/" + db + "?user=" + user
                + "&password=" + password + jdbcOptions);
        data.put("rw-uri", uri(user, password, rw, Names.POSTGRES_PORT, db));
        data.put("ro-uri", uri(user, password, ro, Names.POSTGRES_PORT, db));
        return secret(ldb, Names.appSecret(ldb), data);
    }

    public static String decode(Secret secret, String key) {
        return new String(Base64.getDecoder().decode(secret.getData().get(key)), StandardCharsets.UTF_8);
    }

    private static String uri(String user, String password, String host, int port, String db) {
        return "postgresql://" + user + ":" + password + "@" + host + ":" + port + "/" + db;
    }

    private static Map<String, String> userAndPassword(String user, String password) {
        var data = new LinkedHashMap<String, String>();
        data.put(USERNAME, user);
        data.put(PASSWORD, password);
        return data;
    }

    private static Secret secret(LearningDatabase ldb, String name, Map<String, String> plain) {
        return secret(ldb, name, "Opaque", plain);
    }

    /** A Secret of the cluster with these plain-text values (stored base64-encoded, as the API server keeps them). */
    static Secret secret(LearningDatabase ldb, String name, String type, Map<String, String> plain) {
        var data = new LinkedHashMap<String, String>();
        plain.forEach((k, v) -> data.put(k, Base64.getEncoder().encodeToString(v.getBytes(StandardCharsets.UTF_8))));
        return new SecretBuilder()
                .withNewMetadata()
                .withName(name)
                .withNamespace(ldb.getMetadata().getNamespace())
                .withLabels(Labels.forComponent(ldb, Labels.COMPONENT_CREDENTIALS))
                .endMetadata()
                .withType(type)
                .withData(data)
                .build();
    }
}
