package io.learningdb.operator.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.Secret;
import io.learningdb.operator.resources.Fixtures;
import io.learningdb.operator.resources.TlsRotation;
import io.learningdb.operator.resources.TlsSecrets;

/**
 * A CA rotation on real PostgreSQL and PgBouncer, driven by the operator's own decision ({@link TlsRotation}) over what
 * the pods report they have loaded (learningdb.tls_fingerprint, SHOW CONFIG), each new Secret mounted as kubelet does.
 * Throughout, logins that verify the server (sslmode=verify-full) keep working: directly to the primary and the
 * replica, through PgBouncer (whose own connections to PostgreSQL verify too), and from a client that picks up a new
 * ca.crt only seconds after the pods do (another node's kubelet). After every step the replica's stream and
 * PgBouncer's server connections are made to reconnect, so each side verifies the other with what it has loaded now.
 * No process restarts.
 */
class CaRotationTest {

    static LoopbackTopology topo;
    static final Duration TRUST_PERIOD = Duration.ofSeconds(6);
    static final Duration CLIENT_LAG = Duration.ofSeconds(3);

    @BeforeAll
    static void up() {
        RealPostgres.assumeAvailable();
        topo = LoopbackTopology.create(Fixtures.ldb("rot", """
                replicas: 1
                pooler:
                  instances: 1
                bootstrap:
                  database: learning
                  owner: learning_app
                """));
        topo.startPrimary("rot-0");
        topo.startReplica("rot-1", "rot-0");
        topo.startPooler("rot-0");
    }

    @AfterAll
    static void down() {
        if (topo != null) {
            topo.close();
        }
    }

    static Connection verifyFull(int port, Path caFile) throws SQLException {
        return topo.appWithTls("127.0.0.1", port, "verify-full", caFile);
    }

    static String one(Connection c, String sql) throws SQLException {
        try (ResultSet rs = c.createStatement().executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }

    /**
     * Held by each client login (shared) and by {@link #reconnectEverything} (exclusive): RECONNECT, the test's own
     * instrument, drops every PgBouncer server connection still logging in ("connect string changed"), and PgBouncer
     * then refuses new logins for server_login_retry. That is RECONNECT's doing, not the rotation's (the operator
     * sends no RECONNECT for a certificate), so no client login is under way while the test sends it.
     */
    static final java.util.concurrent.locks.ReadWriteLock INSTRUMENT = new java.util.concurrent.locks.ReentrantReadWriteLock();

    /** Logs in again and again with sslmode=verify-full, reading the CA file anew for every login. */
    static final class Client implements Runnable {
        final String name;
        final int port;
        final Path caFile;
        final AtomicBoolean stop = new AtomicBoolean();
        final AtomicInteger logins = new AtomicInteger();
        final List<String> failures = Collections.synchronizedList(new ArrayList<>());
        final Thread thread;

        Client(String name, int port, Path caFile) {
            this.name = name;
            this.port = port;
            this.caFile = caFile;
            this.thread = new Thread(this, "client-" + name);
            thread.start();
        }

        @Override
        public void run() {
            while (!stop.get()) {
                INSTRUMENT.readLock().lock();
                try (Connection c = verifyFull(port, caFile)) {
                    one(c, "SELECT 1");
                    logins.incrementAndGet();
                } catch (SQLException e) {
                    failures.add(Instant.now() + " " + e.getMessage());
                } finally {
                    INSTRUMENT.readLock().unlock();
                }
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        void finish() throws InterruptedException {
            stop.set(true);
            thread.join(30_000);
        }
    }

    static String tail(String log) {
        var lines = log.split("\n");
        return String.join("\n", java.util.Arrays.copyOfRange(lines, Math.max(0, lines.length - 60), lines.length));
    }

    /** What the operator reads: each instance's learningdb.tls_fingerprint and the pooler's SHOW CONFIG. */
    static List<String> loaded() throws SQLException {
        var out = new ArrayList<String>();
        try (Connection c = topo.superuser("rot-0")) {
            out.add(ReplicationProbe.readPrimary(c).settings().tlsFingerprint());
        }
        try (Connection c = topo.superuser("rot-1")) {
            out.add(ReplicationProbe.readReplica(c).settings().tlsFingerprint());
        }
        out.add(PoolerReload.loadedTlsFingerprint(PoolerAdmin.showConfig(topo.poolerConsole(), topo.poolerAdmin())).orElse("none"));
        return out;
    }

    /** The replica's stream and PgBouncer's server connections start over: each verifies its peer again. */
    static void reconnectEverything() throws Exception {
        try (Connection c = topo.superuser("rot-0")) {
            c.createStatement().execute("SELECT pg_terminate_backend(pid) FROM pg_stat_replication");
        }
        INSTRUMENT.writeLock().lock();
        try {
            PoolerAdmin.reconnect(topo.poolerConsole(), topo.poolerAdmin());
        } finally {
            INSTRUMENT.writeLock().unlock();
        }
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            try (Connection c = topo.superuser("rot-0")) {
                assertThat(one(c, "SELECT count(*) FROM pg_stat_replication r JOIN pg_stat_ssl s USING (pid) "
                        + "WHERE s.ssl AND r.state = 'streaming'")).as("the replica streams again over TLS").isEqualTo("1");
            }
        });
    }

    @Test
    void aNewCaIsRolledOutWithoutALoginOrTheStreamFailingAndWithoutARestart() throws Exception {
        long primaryPid = topo.instance("rot-0").pid();
        long replicaPid = topo.instance("rot-1").pid();
        long poolerPid = topo.pooler().pid();
        Secret current = topo.tlsSecret();
        String oldCa = TlsSecrets.decode(current, TlsSecrets.CA_CRT);
        assertThat(loaded()).containsOnly(TlsSecrets.fingerprint(current));

        // a client on another node: its copy of ca.crt follows the Secret a few seconds late
        Path lagging = topo.base().resolve("lagging-ca.crt");
        Files.writeString(lagging, oldCa);
        var clients = List.of(
                new Client("pooled", topo.poolerPort(), topo.caCertificate()),
                new Client("primary", topo.instance("rot-0").port(), topo.caCertificate()),
                new Client("replica", topo.instance("rot-1").port(), topo.caCertificate()),
                new Client("pooled-lagging", topo.poolerPort(), lagging));

        var newCa = TlsSecrets.newCa(topo.ldb(), Instant.now()); // <name>-ca deleted: the operator made a new one
        var steps = new ArrayList<String>();
        Instant deadline = Instant.now().plus(Duration.ofMinutes(3));
        while (!steps.contains(TlsRotation.RETIRED) && Instant.now().isBefore(deadline)) {
            boolean everyPodLoaded = loaded().stream().allMatch(TlsSecrets.fingerprint(current)::equals);
            var decision = TlsRotation.decide(topo.ldb(), topo.tlsNames(), newCa, Optional.of(current), everyPodLoaded,
                    TRUST_PERIOD, Instant.now());
            if (decision.step().isPresent()) {
                steps.add(decision.step().get());
                current = decision.secret();
                topo.mountTls(current);
                String bundle = TlsSecrets.decode(current, TlsSecrets.CA_CRT);
                new Thread(() -> {
                    try {
                        Thread.sleep(CLIENT_LAG.toMillis());
                        Files.writeString(lagging, bundle);
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }).start();
                String fingerprint = TlsSecrets.fingerprint(current);
                await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(loaded()).containsOnly(fingerprint));
                reconnectEverything();
            }
            Thread.sleep(200);
        }
        Thread.sleep(CLIENT_LAG.toMillis() + 1000);
        for (var c : clients) {
            c.finish();
        }

        assertThat(steps).containsExactly(TlsRotation.TRUSTING, TlsRotation.REISSUED, TlsRotation.RETIRED);
        // a failed login is explained by what PgBouncer and the primary logged (it was seen once under load)
        String logs = "\n--- pgbouncer.log (warnings, errors, closed connections)\n"
                + tail(Files.readString(topo.base().resolve("pooler/pgbouncer.log")).lines()
                        .filter(l -> l.contains("WARNING") || l.contains("ERROR") || l.contains("closing because"))
                        .collect(java.util.stream.Collectors.joining("\n")))
                + "\n--- rot-0 (tail)\n" + tail(topo.serverLog("rot-0"));
        assertThat(clients).allSatisfy(c -> {
            assertThat(c.failures).as(c.name + " logins that failed" + logs).isEmpty();
            assertThat(c.logins.get()).as(c.name + " logins").isGreaterThan(20);
        });
        // the old CA is trusted no more, and what is served is the new CA's
        Path onlyOld = topo.base().resolve("old-ca.crt");
        Files.writeString(onlyOld, oldCa);
        Path onlyNew = topo.base().resolve("new-ca.crt");
        Files.writeString(onlyNew, newCa.certificate());
        assertThat(TlsRotation.certificates(TlsSecrets.decode(current, TlsSecrets.CA_CRT))).hasSize(1);
        for (int port : List.of(topo.poolerPort(), topo.instance("rot-0").port(), topo.instance("rot-1").port())) {
            try (Connection c = verifyFull(port, onlyNew)) {
                assertThat(one(c, "SELECT 1")).isEqualTo("1");
            }
            assertThatThrownBy(() -> verifyFull(port, onlyOld).close()).isInstanceOf(SQLException.class);
        }
        // nothing was restarted
        assertThat(topo.instance("rot-0").pid()).isEqualTo(primaryPid);
        assertThat(topo.instance("rot-1").pid()).isEqualTo(replicaPid);
        assertThat(topo.pooler().pid()).isEqualTo(poolerPid);
        assertThat(topo.pooler().isAlive()).isTrue();
    }
}
