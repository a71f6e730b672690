package io.learningdb.operator.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.learningdb.operator.resources.Fixtures;

/**
 * spec.tls with required: true, run for real: the operator-style CA and server certificate, the rendered
 * pg_hba.conf (hostssl), postgresql settings from instance.sh and the rendered pgbouncer.ini TLS settings.
 */
class TlsTest {

    static LoopbackTopology topo;

    @BeforeAll
    static void up() {
        RealPostgres.assumeAvailable();
        topo = LoopbackTopology.create(Fixtures.ldb("secure", """
                replicas: 1
                pooler:
                  instances: 1
                bootstrap:
                  database: learning
                  owner: learning_app
                tls:
                  enabled: true
                  required: true
                """));
        topo.startPrimary("secure-0");
        topo.startReplica("secure-1", "secure-0");
        topo.startPooler("secure-0");
    }

    @AfterAll
    static void down() {
        if (topo != null) {
            topo.close();
        }
    }

    private Connection connect(String host, int port, String sslmode) throws SQLException {
        return topo.appWithTls(host, port, sslmode, topo.caCertificate());
    }

    private static String one(Connection c, String sql) throws SQLException {
        try (ResultSet rs = c.createStatement().executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }

    @Test
    void clientsVerifyThePrimaryAndThePoolerAgainstTheClusterCa() throws Exception {
        try (Connection c = connect("localhost", topo.instance("secure-0").port(), "verify-full")) {
            assertThat(one(c, "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")).isEqualTo("t");
            assertThat(one(c, "SELECT version FROM pg_stat_ssl WHERE pid = pg_backend_pid()")).startsWith("TLSv1.");
        }
        try (Connection c = connect("localhost", topo.poolerPort(), "verify-full")) {
            assertThat(one(c, "SELECT current_user")).isEqualTo("learning_app");
            // PgBouncer's own connection to PostgreSQL is TLS too (server_tls_sslmode=verify-full)
            assertThat(one(c, "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")).isEqualTo("t");
        }
    }

    @Test
    void aNameTheCertificateDoesNotCoverIsRefusedByVerifyFull() {
        // 127.0.0.2 reaches the same server (loopback) but is not in the certificate
        assertThatThrownBy(() -> connect("127.0.0.2", topo.instance("secure-0").port(), "verify-full").close())
                .isInstanceOf(SQLException.class)
                .hasMessageContaining("127.0.0.2");
    }

    @Test
    void clientsWithoutTlsAreRefusedByPostgresAndByThePooler() {
        assertThatThrownBy(() -> connect("localhost", topo.instance("secure-0").port(), "disable").close())
                .isInstanceOf(SQLException.class)
                .hasMessageContaining("no encryption");
        assertThatThrownBy(() -> connect("localhost", topo.poolerPort(), "disable").close())
                .isInstanceOf(SQLException.class);
    }

    @Test
    void theReplicaStreamsOverVerifiedTls() throws Exception {
        try (Connection p = topo.superuser("secure-0")) {
            await().atMost(Duration.ofSeconds(30)).until(() -> "1".equals(one(p,
                    "SELECT count(*) FROM pg_stat_replication r JOIN pg_stat_ssl s USING (pid) WHERE s.ssl AND r.state = 'streaming'")));
        }
        try (Connection r = topo.superuser("secure-1")) {
            assertThat(one(r, "SELECT conninfo FROM pg_stat_wal_receiver")).contains("sslmode=verify-full");
        }
    }
}
