package io.learningdb.operator.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.learningdb.operator.resources.Fixtures;
import io.learningdb.operator.resources.Names;
import io.learningdb.operator.resources.PoolerConfig;

/**
 * The topology the operator renders, run for real: primary bootstrapped by instance.sh, two replicas cloned by it,
 * PgBouncer with the rendered pgbouncer.ini. max_connections is 100, as in the platform notes' pooling test.
 */
class TopologyTest {

    static LoopbackTopology topo;

    @BeforeAll
    static void up() {
        RealPostgres.assumeAvailable();
        topo = LoopbackTopology.create(Fixtures.ldb("lms", """
                replicas: 2
                postgres:
                  parameters:
                    max_connections: "100"
                pooler:
                  instances: 1
                  defaultPoolSize: 20
                bootstrap:
                  database: learning
                  owner: learning_app
                """));
        // The init SQL tries to leave its role: with a superuser session (role switched by SET ROLE), SET ROLE NONE
        // would make it the superuser. Run as the owner itself, it stays the owner.
        topo.initSql("""
                SET ROLE NONE;
                CREATE TABLE init_identity AS
                  SELECT session_user::text AS session_name, current_user::text AS current_name,
                         (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) AS superuser;
                """);
        topo.startPrimary("lms-0");
        topo.startReplica("lms-1", "lms-0");
        topo.startReplica("lms-2", "lms-0");
        topo.startPooler("lms-0");
    }

    @AfterAll
    static void down() {
        if (topo != null) {
            topo.close();
        }
    }

    static String one(Connection c, String sql) throws SQLException {
        try (ResultSet rs = c.createStatement().executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }

    @Test
    void appUserWritesThroughThePoolerWithScramAndBothReplicasSeeTheRow() throws Exception {
        try (Connection app = topo.appThroughPooler()) {
            app.createStatement().execute("CREATE TABLE IF NOT EXISTS lessons (id int PRIMARY KEY, title text)");
            app.createStatement().execute("INSERT INTO lessons VALUES (1, 'Intro to SQL') ON CONFLICT DO NOTHING");
            assertThat(one(app, "SELECT current_user")).isEqualTo("learning_app");
        }
        for (String replica : List.of("lms-1", "lms-2")) {
            try (Connection r = topo.connect(replica, "learning_app", topo.password("app"), "learning")) {
                await().atMost(Duration.ofSeconds(30)).until(() -> {
                    try {
                        return "Intro to SQL".equals(one(r, "SELECT title FROM lessons WHERE id = 1"));
                    } catch (SQLException e) {
                        return false; // table not replayed yet
                    }
                });
                assertThat(one(r, "SELECT pg_is_in_recovery()")).isEqualTo("t");
            }
        }
    }

    @Test
    void replicasRefuseWrites() throws Exception {
        try (Connection r = topo.connect("lms-1", "learning_app", topo.password("app"), "learning")) {
            assertThatThrownBy(() -> r.createStatement().execute("CREATE TABLE nope (id int)"))
                    .isInstanceOf(SQLException.class).hasMessageContaining("read-only transaction");
        }
    }

    @Test
    void replicasStreamThroughTheirOwnPhysicalSlots() throws Exception {
        try (Connection p = topo.superuser("lms-0")) {
            await().atMost(Duration.ofSeconds(30)).until(() ->
                    "lms_1,lms_2".equals(one(p, "SELECT string_agg(slot_name, ',' ORDER BY slot_name) FROM pg_replication_slots WHERE active")));
            assertThat(one(p, "SELECT string_agg(application_name || ':' || state, ',' ORDER BY application_name) FROM pg_stat_replication"))
                    .isEqualTo("lms-1:streaming,lms-2:streaming");
        }
    }

    @Test
    void bootstrapCreatedRolesDatabaseAndTheLookupFunctionButNoSuperuserThroughThePooler() throws Exception {
        try (Connection p = topo.superuser("lms-0")) {
            assertThat(one(p, "SELECT string_agg(rolname, ',' ORDER BY rolname) FROM pg_roles WHERE rolname IN ('replicator','pgbouncer_auth','learning_app')"))
                    .isEqualTo("learning_app,pgbouncer_auth,replicator");
            assertThat(one(p, "SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = 'learning'")).isEqualTo("learning_app");
            assertThat(one(p, "SELECT rolreplication FROM pg_roles WHERE rolname = 'replicator'")).isEqualTo("t");
            assertThat(one(p, "SELECT data_checksums FROM (SELECT current_setting('data_checksums') AS data_checksums) s")).isEqualTo("on");
        }
        assertThatThrownBy(() -> LoopbackTopology.connect(topo.poolerPort(), "postgres", topo.password("superuser"), "learning").close())
                .isInstanceOf(SQLException.class);
        // passwords are SCRAM secrets in the catalog, never md5 or plain text
        try (Connection p = topo.superuser("lms-0")) {
            assertThat(one(p, "SELECT bool_and(rolpassword LIKE 'SCRAM-SHA-256$%') FROM pg_authid WHERE rolpassword IS NOT NULL"))
                    .isEqualTo("t");
        }
    }

    @Test
    void initSqlRunsAsTheApplicationOwnerAndCannotBecomeSuperuser() throws Exception {
        try (Connection p = topo.connect("lms-0", "postgres", topo.password("superuser"), "learning")) {
            assertThat(one(p, "SELECT session_name || ',' || current_name || ',' || superuser FROM init_identity"))
                    .isEqualTo("learning_app,learning_app,false");
            assertThat(one(p, "SELECT tableowner FROM pg_tables WHERE tablename = 'init_identity'")).isEqualTo("learning_app");
        }
    }

    @Test
    void theApplicationOwnerReadsSlowQueriesIndexUsageAndTableStatsOutOfTheBox() throws Exception {
        try (Connection owner = topo.connect("lms-0", "learning_app", topo.password("app"), "learning");
                Connection su = topo.connect("lms-0", "postgres", topo.password("superuser"), "learning")) {
            owner.createStatement().execute("CREATE TABLE insight_probe (id int PRIMARY KEY, course int, note text)");
            owner.createStatement().execute("CREATE INDEX insight_probe_note ON insight_probe (note)");
            owner.createStatement().execute("INSERT INTO insight_probe SELECT g, g % 10, 'n' || g FROM generate_series(1, 1000) g");
            owner.createStatement().execute("DELETE FROM insight_probe WHERE id <= 300");
            su.createStatement().executeQuery("/* superuser-probe */ SELECT pg_sleep(0.05)").close();
            // pg_stat_statements is there and recording; the owner reads every role's statements of this database
            assertThat(one(owner, "SELECT count(*) FROM learningdb.slow_queries WHERE query LIKE '%insight_probe%'"))
                    .isNotEqualTo("0");
            assertThat(one(owner, "SELECT query FROM learningdb.slow_queries WHERE query LIKE '%superuser-probe%' LIMIT 1"))
                    .contains("pg_sleep");
            // an index never scanned is unused; the primary key is not counted (it enforces a constraint)
            assertThat(one(owner, "SELECT string_agg(index_name || '=' || unused, ',' ORDER BY index_name) "
                    + "FROM learningdb.index_usage_stats WHERE table_name = 'insight_probe'"))
                    .isEqualTo("insight_probe_note=true,insight_probe_pkey=false");
            one(su, "SELECT pg_stat_force_next_flush()");
            await().atMost(java.time.Duration.ofSeconds(10)).untilAsserted(() -> assertThat(
                    one(owner, "SELECT dead_tuples || '/' || live_tuples FROM learningdb.table_stats WHERE table_name = 'insight_probe'"))
                    .isEqualTo("300/700"));
            // statistics, not power: the views are read-only and the owner is still no superuser
            assertThatThrownBy(() -> owner.createStatement().execute("CREATE VIEW learningdb.mine AS SELECT 1"))
                    .isInstanceOf(SQLException.class);
            assertThat(one(owner, "SELECT rolsuper FROM pg_roles WHERE rolname = current_user")).isEqualTo("f");
        }
    }

    @Test
    void reconnectOnTheAdminConsoleMovesPooledClientsToNewServerConnections() throws Exception {
        try (Connection app = topo.appThroughPooler()) {
            String before = one(app, "SELECT pg_backend_pid()::text");
            assertThat(one(app, "SELECT pg_backend_pid()::text")).as("the same pooled server connection").isEqualTo(before);
            // what the operator does when the primary changes, with its own login to the console
            PoolerAdmin.reconnect(new Endpoint("127.0.0.1", topo.poolerPort()),
                    new Login(Names.POOLER_AUTH_USER, topo.password("pooler-auth")));
            assertThat(one(app, "SELECT pg_backend_pid()::text")).as("a new server connection after RECONNECT").isNotEqualTo(before);
        }
        // a wrong secret is refused, and an error of the console reaches the caller
        assertThatThrownBy(() -> PoolerAdmin.reconnect(new Endpoint("127.0.0.1", topo.poolerPort()),
                new Login(Names.POOLER_AUTH_USER, "not-the-password"))).isInstanceOf(SQLException.class)
                .hasMessageContaining("authentication failed");
        assertThatThrownBy(() -> PoolerAdmin.command(new Endpoint("127.0.0.1", topo.poolerPort()),
                new Login(Names.POOLER_AUTH_USER, topo.password("pooler-auth")), "NO SUCH COMMAND"))
                .isInstanceOf(SQLException.class);
    }

    @Test
    void poolerServesAThousandConcurrentClientsWhilePostgresAllowsAHundredConnections() throws Exception {
        int clients = 1000;
        var connections = new ArrayList<Connection>();
        var pool = Executors.newFixedThreadPool(50);
        try {
            List<Future<Connection>> opened = new ArrayList<>();
            for (int i = 0; i < clients; i++) {
                opened.add(pool.submit(topo::appThroughPooler));
            }
            for (Future<Connection> f : opened) {
                connections.add(f.get());
            }
            assertThat(connections).hasSize(clients);
            List<Callable<Integer>> work = new ArrayList<>();
            for (int i = 0; i < clients; i++) {
                Connection c = connections.get(i);
                int n = i;
                work.add(() -> {
                    try (ResultSet rs = c.createStatement().executeQuery("SELECT " + n + " + 0, pg_sleep(0.01)")) {
                        rs.next();
                        return rs.getInt(1);
                    }
                });
            }
            int sum = 0;
            for (Future<Integer> f : pool.invokeAll(work)) {
                sum += f.get();
            }
            assertThat(sum).isEqualTo(clients * (clients - 1) / 2);
            try (Connection p = topo.superuser("lms-0")) {
                int serverConnections = Integer.parseInt(one(p, "SELECT count(*) FROM pg_stat_activity WHERE usename = 'learning_app'"));
                assertThat(serverConnections).isLessThanOrEqualTo(PoolerConfig.maxDbConnections(topo.ldb()));
                assertThat(one(p, "SHOW max_connections")).isEqualTo("100");
            }
        } finally {
            for (Connection c : connections) {
                c.close();
            }
            pool.shutdownNow();
        }
    }

    /**
     * A primary being bootstrapped (or recovered) runs in a private server: not on the pod's socket, so the readiness
     * probe (pg_isready on that socket) keeps the pod unready until it really serves, and nothing connects early.
     */
    @Test
    void theBootstrapServerIsInvisibleToTheProbesUntilTheInstanceServes() throws Exception {
        try (var slow = LoopbackTopology.create(Fixtures.ldb("slow", "replicas: 0\n"))) {
            slow.initSql("SELECT pg_sleep(4);\n");
            var instance = slow.start("slow-0", "primary", 0, false);
            Path socket = instance.dir().resolve("sock");
            int seenPrivate = 0;
            long deadline = System.nanoTime() + 60_000_000_000L;
            while (!slow.serverLog("slow-0").contains("bootstrap complete") && System.nanoTime() < deadline) {
                if (slow.serverLog("slow-0").contains("running init SQL")) {
                    seenPrivate++;
                    assertThat(pgIsReady(socket, instance.port())).as("the pod's socket while bootstrap SQL runs").isFalse();
                }
                Thread.sleep(200);
            }
            assertThat(seenPrivate).as("observed during the private phase").isPositive();
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> pgIsReady(socket, instance.port()));
        }
    }

    static boolean pgIsReady(Path socketDir, int port) {
        try {
            LoopbackTopology.run(List.of(LoopbackTopology.PGBIN.resolve("pg_isready").toString(), "-q", "-h", socketDir.toString(),
                    "-p", Integer.toString(port)));
            return true;
        } catch (IllegalStateException e) {
            return false;
        }
    }
}
