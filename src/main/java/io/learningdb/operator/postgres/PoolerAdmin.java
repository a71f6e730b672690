package io.learningdb.operator.postgres;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.sql.SQLException;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;

import javax.crypto.Mac;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.SecretKeySpec;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * PgBouncer's admin console. After the primary changes, {@code RECONNECT} makes PgBouncer close every server
 * connection as soon as it is released (at the end of the transaction in transaction mode) and open new ones
 * through the -rw Service, so no pooled connection stays on the old primary and no client meets a dead server
 * connection first.
 * <p>
 * A few dozen lines of the frontend/backend protocol instead of pgjdbc: the console reports PgBouncer's own
 * version as {@code server_version}, and pgjdbc 42.7.5 and later then send {@code SET extra_float_digits}, which the
 * console refuses ("SET failed", pgbouncer/pgbouncer#1509, fixed only in PgBouncer releases newer than ours).
 * <p>
 * TLS is used whenever the pooler offers it. The certificate is not checked by name (the operator reaches a pod by
 * address or through a port-forward); SCRAM authenticates the pooler instead: its final message proves it holds the
 * login's secret, and this client refuses a pooler that cannot prove it or that asks for a weaker method.
 */
public final class PoolerAdmin {

    static final int CONNECT_TIMEOUT_MS = 3_000;
    static final int READ_TIMEOUT_MS = 5_000;
    private static final int PROTOCOL_3 = 196_608;
    private static final int SSL_REQUEST = 80_877_103;
    private static final SecureRandom RANDOM = new SecureRandom();

    private PoolerAdmin() {
    }

    public static void reconnect(Endpoint pooler, Login login) throws SQLException {
        command(pooler, login, "RECONNECT");
    }

    /** {@code RELOAD}: PgBouncer reads its ini again; changeable settings apply at once, no client is disconnected. */
    public static void reload(Endpoint pooler, Login login) throws SQLException {
        command(pooler, login, "RELOAD");
    }

    /** A setting as {@code SHOW CONFIG} reports it: its value now, and whether a RELOAD can change it. */
    public record Setting(String value, boolean changeable) {
    }

    /** {@code SHOW CONFIG}: every setting PgBouncer runs with, by name. */
    public static Map<String, Setting> showConfig(Endpoint pooler, Login login) throws SQLException {
        var settings = new java.util.TreeMap<String, Setting>();
        for (var row : query(pooler, login, "SHOW CONFIG")) {
            settings.put(row.get("key"), new Setting(row.get("value"), "yes".equals(row.get("changeable"))));
        }
        return settings;
    }

    /** Runs one admin command; an error PgBouncer reports, a refused login or a broken connection is an SQLException. */
    static void command(Endpoint pooler, Login login, String command) throws SQLException {
        query(pooler, login, command);
    }

    /** Runs one admin command and returns its rows (column name to text value); see {@link #command}. */
    static java.util.List<Map<String, String>> query(Endpoint pooler, Login login, String command) throws SQLException {
        return queries(pooler, login, command).get(0);
    }

    /** Runs admin commands one after the other over one connection and returns the rows of each; see {@link #command}. */
    static java.util.List<java.util.List<Map<String, String>>> queries(Endpoint pooler, Login login, String... commands)
            throws SQLException {
        try (var session = Session.open(pooler, login)) {
            return session.run(commands);
        }
    }

    /**
     * A logged-in admin-console connection kept open for repeated reads (the metrics poll): TLS and SCRAM once, then
     * each read is a few small messages. Used by one thread at a time; any failure leaves it {@link #broken()}, to be
     * closed and replaced.
     */
    public static final class Session implements AutoCloseable {
        private final Endpoint pooler;
        private final Socket plain;
        private final Socket socket;
        private final DataInputStream in;
        private final DataOutputStream out;
        private boolean broken;

        private Session(Endpoint pooler, Socket plain, Socket socket) throws IOException {
            this.pooler = pooler;
            this.plain = plain;
            this.socket = socket;
            this.in = new DataInputStream(new java.io.BufferedInputStream(socket.getInputStream()));
            this.out = new DataOutputStream(new java.io.BufferedOutputStream(socket.getOutputStream()));
        }

        public static Session open(Endpoint pooler, Login login) throws SQLException {
            Socket plain = new Socket();
            try {
                // small request/response messages: without TCP_NODELAY each waits for the peer's delayed ACK (~40 ms)
                plain.setTcpNoDelay(true);
                plain.connect(new InetSocketAddress(pooler.host(), pooler.port()), CONNECT_TIMEOUT_MS);
                plain.setSoTimeout(READ_TIMEOUT_MS);
                var session = new Session(pooler, plain, negotiateTls(plain, pooler));
                startup(session.out, login.user());
                authenticate(session.in, session.out, login);
                awaitReady(session.in);
                return session;
            } catch (SQLException e) {
                closeQuietly(plain);
                throw e; // PgBouncer refused the login
            } catch (IOException | GeneralSecurityException e) {
                closeQuietly(plain);
                throw failure(pooler, e);
            }
        }

        public Endpoint endpoint() {
            return pooler;
        }

        /** Runs each command in turn; the rows of each. An error PgBouncer reports leaves the session usable. */
        public java.util.List<java.util.List<Map<String, String>>> run(String... commands) throws SQLException {
            try {
                var results = new java.util.ArrayList<java.util.List<Map<String, String>>>();
                for (String command : commands) {
                    send(out, 'Q', cstring(command));
                    results.add(awaitReady(in));
                }
                return results;
            } catch (IOException e) {
                broken = true;
                throw failure(pooler, e);
            }
        }

        public boolean broken() {
            return broken;
        }

        @Override
        public void close() {
            try {
                if (!broken) {
                    send(out, 'X', new byte[0]);
                }
            } catch (IOException ignored) {
                // closing anyway
            }
            try {
                socket.close();
                if (socket != plain) {
                    plain.close();
                }
            } catch (IOException ignored) {
                // nothing left to do
            }
        }
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // already failing
        }
    }

    private static SQLException failure(Endpoint pooler, Exception e) {
        return new SQLException("PgBouncer admin console at " + pooler.host() + ":" + pooler.port() + ": " + e.getMessage(),
                "08001", e);
    }

    private static Socket negotiateTls(Socket plain, Endpoint pooler) throws IOException, GeneralSecurityException {
        var out = new DataOutputStream(plain.getOutputStream());
        out.writeInt(8);
        out.writeInt(SSL_REQUEST);
        out.flush();
        int answer = plain.getInputStream().read();
        if (answer == 'N') {
            return plain;
        }
        if (answer != 'S') {
            throw new IOException("unexpected answer to the TLS request: " + answer);
        }
        var tls = SSLContext.getInstance("TLS");
        tls.init(null, new TrustManager[] { new AnyCertificate() }, RANDOM);
        var s = (SSLSocket) tls.getSocketFactory().createSocket(plain, pooler.host(), pooler.port(), true);
        s.setSoTimeout(READ_TIMEOUT_MS);
        s.startHandshake();
        return s;
    }

    private static void startup(DataOutputStream out, String user) throws IOException {
        var body = new ByteArrayOutputStream();
        var d = new DataOutputStream(body);
        d.writeInt(PROTOCOL_3);
        for (String s : new String[] { "user", user, "database", "pgbouncer", "application_name", "learningdb-operator" }) {
            d.write(cstring(s));
        }
        d.write(0);
        out.writeInt(body.size() + 4);
        body.writeTo(out);
        out.flush();
    }

    private static void authenticate(DataInputStream in, DataOutputStream out, Login login)
            throws IOException, GeneralSecurityException, SQLException {
        Scram scram = null;
        while (true) {
            var m = Message.read(in);
            if (m.type == 'E') {
                throw m.error();
            }
            if (m.type != 'R') {
                throw new IOException("unexpected message during login: " + (char) m.type);
            }
            var body = new DataInputStream(new java.io.ByteArrayInputStream(m.body));
            int code = body.readInt();
            switch (code) {
                case 0 -> {
                    if (scram == null || !scram.serverVerified) {
                        throw new IOException("the pooler accepted the login without proving it knows the secret (SCRAM expected)");
                    }
                    return;
                }
                case 10 -> {
                    String mechanisms = new String(body.readAllBytes(), StandardCharsets.UTF_8);
                    if (!java.util.Arrays.asList(mechanisms.split("\0")).contains("SCRAM-SHA-256")) {
                        throw new IOException("the pooler offers no SCRAM-SHA-256: " + mechanisms.replace('\0', ' ').trim());
                    }
                    scram = new Scram(login.password());
                    byte[] first = scram.clientFirst().getBytes(StandardCharsets.UTF_8);
                    var b = new ByteArrayOutputStream();
                    var d = new DataOutputStream(b);
                    d.write(cstring("SCRAM-SHA-256"));
                    d.writeInt(first.length);
                    d.write(first);
                    send(out, 'p', b.toByteArray());
                }
                case 11 -> send(out, 'p', requireScram(scram).clientFinal(new String(body.readAllBytes(), StandardCharsets.UTF_8))
                        .getBytes(StandardCharsets.UTF_8));
                case 12 -> requireScram(scram).verifyServerFinal(new String(body.readAllBytes(), StandardCharsets.UTF_8));
                default -> throw new IOException("authentication method " + code + " refused: only SCRAM-SHA-256 is used");
            }
        }
    }

    private static Scram requireScram(Scram scram) throws IOException {
        if (scram == null) {
            throw new IOException("SCRAM message before the SCRAM exchange began");
        }
        return scram;
    }

    /**
     * Reads to ReadyForQuery, collecting the rows of a result (RowDescription, DataRow: text format); an ErrorResponse
     * on the way is thrown after it.
     */
    private static java.util.List<Map<String, String>> awaitReady(DataInputStream in) throws IOException, SQLException {
        SQLException error = null;
        var columns = new java.util.ArrayList<String>();
        var rows = new java.util.ArrayList<Map<String, String>>();
        while (true) {
            var m = Message.read(in);
            if (m.type == 'E' && error == null) {
                error = m.error();
            } else if (m.type == 'T') {
                columns.clear();
                var body = new DataInputStream(new java.io.ByteArrayInputStream(m.body));
                int n = body.readUnsignedShort();
                for (int i = 0; i < n; i++) {
                    columns.add(readCString(body));
                    body.skipNBytes(18); // table oid, column number, type oid, type size, type modifier, format
                }
            } else if (m.type == 'D') {
                var body = new DataInputStream(new java.io.ByteArrayInputStream(m.body));
                int n = body.readUnsignedShort();
                var row = new java.util.LinkedHashMap<String, String>();
                for (int i = 0; i < n; i++) {
                    int length = body.readInt();
                    String value = length < 0 ? null : new String(body.readNBytes(length), StandardCharsets.UTF_8);
                    row.put(i < columns.size() ? columns.get(i) : Integer.toString(i), value);
                }
                rows.add(row);
            } else if (m.type == 'Z') {
                if (error != null) {
                    throw error;
                }
                return rows;
            }
        }
    }

    private static String readCString(DataInputStream in) throws IOException {
        var bytes = new ByteArrayOutputStream();
        for (int b = in.read(); b > 0; b = in.read()) {
            bytes.write(b);
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    private static void send(DataOutputStream out, char type, byte[] body) throws IOException {
        out.write(type);
        out.writeInt(body.length + 4);
        out.write(body);
        out.flush();
    }

    private static byte[] cstring(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        byte[] z = new byte[b.length + 1];
        System.arraycopy(b, 0, z, 0, b.length);
        return z;
    }

    private record Message(int type, byte[] body) {

        static Message read(DataInputStream in) throws IOException {
            int type = in.read();
            if (type < 0) {
                throw new EOFException("the pooler closed the connection");
            }
            int length = in.readInt();
            if (length < 4 || length > 1 << 20) {
                throw new IOException("malformed message length " + length);
            }
            byte[] body = new byte[length - 4];
            in.readFully(body);
            return new Message(type, body);
        }

        SQLException error() {
            Map<Character, String> fields = new HashMap<>();
            int i = 0;
            while (i < body.length && body[i] != 0) {
                char code = (char) body[i++];
                int end = i;
                while (end < body.length && body[end] != 0) {
                    end++;
                }
                fields.put(code, new String(body, i, end - i, StandardCharsets.UTF_8));
                i = end + 1;
            }
            return new SQLException(fields.getOrDefault('M', "error without message"), fields.get('C'));
        }
    }

    /**
     * PBKDF2 over the password ({@code i} = 4096 iterations by default) is most of a login's cost on this side; the
     * metrics poll logs in to every pooler pod every few seconds, always with the same password and salt, so the
     * result is kept (a few hundred entries at most: one per pooler login the operator uses).
     */
    private static final Map<String, byte[]> SALTED = java.util.Collections.synchronizedMap(
            new java.util.LinkedHashMap<String, byte[]>(16, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, byte[]> eldest) {
                    return size() > 1024;
                }
            });

    static byte[] saltedPassword(String password, byte[] salt, int iterations) throws GeneralSecurityException {
        String key = Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256")
                .digest(password.getBytes(StandardCharsets.UTF_8))) + "/" + Base64.getEncoder().encodeToString(salt)
                + "/" + iterations;
        byte[] cached = SALTED.get(key);
        if (cached != null) {
            return cached.clone();
        }
        var pbkdf2 = SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256");
        byte[] salted = pbkdf2.generateSecret(new PBEKeySpec(password.toCharArray(), salt, iterations, 256)).getEncoded();
        SALTED.put(key, salted.clone());
        return salted;
    }

    /** SCRAM-SHA-256 without channel binding (RFC 5802, RFC 7677), as PostgreSQL and PgBouncer speak it. */
    static final class Scram {
        private final String password;
        private final String clientNonce;
        private String clientFirstBare;
        private byte[] serverSignature;
        boolean serverVerified;

        Scram(String password) {
            this.password = password;
            byte[] n = new byte[18];
            RANDOM.nextBytes(n);
            this.clientNonce = Base64.getEncoder().encodeToString(n);
        }

        String clientFirst() {
            clientFirstBare = "n=,r=" + clientNonce; // the user name travels in the startup message
            return "n,," + clientFirstBare;
        }

        String clientFinal(String serverFirst) throws IOException, GeneralSecurityException {
            Map<String, String> a = attributes(serverFirst);
            String nonce = a.get("r");
            if (nonce == null || !nonce.startsWith(clientNonce) || a.get("s") == null || a.get("i") == null) {
                throw new IOException("malformed SCRAM server-first message");
            }
            byte[] salt = Base64.getDecoder().decode(a.get("s"));
            int iterations = Integer.parseInt(a.get("i"));
            byte[] salted = saltedPassword(password, salt, iterations);
            byte[] clientKey = hmac(salted, "Client Key");
            byte[] storedKey = MessageDigest.getInstance("SHA-256").digest(clientKey);
            String withoutProof = "c=biws,r=" + nonce;
            String authMessage = clientFirstBare + "," + serverFirst + "," + withoutProof;
            byte[] signature = hmac(storedKey, authMessage);
            byte[] proof = new byte[clientKey.length];
            for (int i = 0; i < proof.length; i++) {
                proof[i] = (byte) (clientKey[i] ^ signature[i]);
            }
            serverSignature = hmac(hmac(salted, "Server Key"), authMessage);
            return withoutProof + ",p=" + Base64.getEncoder().encodeToString(proof);
        }

        void verifyServerFinal(String serverFinal) throws IOException {
            String v = attributes(serverFinal).get("v");
            if (v == null || serverSignature == null
                    || !MessageDigest.isEqual(Base64.getDecoder().decode(v), serverSignature)) {
                throw new IOException("the pooler could not prove it holds the login's SCRAM secret");
            }
            serverVerified = true;
        }

        private static Map<String, String> attributes(String message) {
            Map<String, String> a = new HashMap<>();
            for (String part : message.split(",")) {
                int eq = part.indexOf('=');
                if (eq > 0) {
                    a.put(part.substring(0, eq), part.substring(eq + 1));
                }
            }
            return a;
        }

        private static byte[] hmac(byte[] key, String data) throws GeneralSecurityException {
            var mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
        }
    }

    /** Encryption without a name check; SCRAM's server proof authenticates the pooler (see the class comment). */
    private static final class AnyCertificate implements X509TrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
