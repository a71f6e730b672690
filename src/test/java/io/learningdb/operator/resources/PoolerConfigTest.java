package io.learningdb.operator.resources;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PoolerConfigTest {

    @Test
    void pointsAtTheReadWriteServiceWithScramAndAuthQuery() {
        var ini = PoolerConfig.build(Fixtures.ldb("replicas: 1\n")).getData().get("pgbouncer.ini");
        assertThat(ini).contains("[databases]\n* = host=courses-rw.edu.svc port=5432\n")
                .contains("auth_type = scram-sha-256\n", "auth_user = pgbouncer_auth\n",
                        "auth_query = SELECT uname, phash FROM pgbouncer.user_lookup($1)\n",
                        "auth_file = /etc/pgbouncer/auth/userlist.txt\n", "pool_mode = transaction\n",
                        "default_pool_size = 20\n", "max_client_conn = 5000\n", "listen_port = 5432\n");
    }

    @Test
    void serverConnectionsOfAllPoolerPodsFitInMaxConnections() {
        var ldb = Fixtures.ldb("""
                postgres:
                  parameters:
                    max_connections: "100"
                pooler:
                  instances: 3
                  defaultPoolSize: 50
                """);
        int perPod = PoolerConfig.maxDbConnections(ldb);
        assertThat(perPod * 3).isLessThanOrEqualTo(100 - PoolerConfig.RESERVED_CONNECTIONS);
        assertThat(PoolerConfig.pgbouncerIni(ldb, PoolerConfig.Endpoints.inCluster(ldb)))
                .contains("max_db_connections = " + perPod + "\n");
    }

    @Test
    void userParametersAreAppendedAndSpecFieldsApply() {
        var ini = PoolerConfig.pgbouncerIni(Fixtures.ldb("""
                pooler:
                  poolMode: session
                  maxClientConnections: 20000
                  parameters:
                    query_wait_timeout: "30"
                """), new PoolerConfig.Endpoints("127.0.0.1", 6432, "127.0.0.1", 5433, "/tmp/userlist.txt"));
        assertThat(ini).contains("pool_mode = session\n", "max_client_conn = 20000\n", "query_wait_timeout = 30\n",
                "listen_addr = 127.0.0.1\n", "listen_port = 6432\n", "* = host=127.0.0.1 port=5433\n");
    }

    @Test
    void onlySettingsPgBouncerAppliesAtStartRollThePoolerPods() {
        var before = Fixtures.ldb("pooler:\n  defaultPoolSize: 20\n");
        var poolSize = Fixtures.ldb("pooler:\n  defaultPoolSize: 35\n  parameters:\n    server_idle_timeout: \"60\"\n");
        var backlog = Fixtures.ldb("pooler:\n  defaultPoolSize: 20\n  parameters:\n    listen_backlog: \"8192\"\n");
        assertThat(PoolerConfig.restartSettings(poolSize)).as("applied by RELOAD").isEqualTo(PoolerConfig.restartSettings(before));
        assertThat(PoolerConfig.restartSettings(backlog)).as("applied at start only").isNotEqualTo(PoolerConfig.restartSettings(before))
                .contains("listen_backlog = 8192");
    }

    @Test
    void runningValuesAreComparedAsPgBouncerShowsThem() {
        var running = java.util.Map.of(
                "default_pool_size", new io.learningdb.operator.postgres.PoolerAdmin.Setting("20", true),
                "server_login_retry", new io.learningdb.operator.postgres.PoolerAdmin.Setting("1", true),
                "log_connections", new io.learningdb.operator.postgres.PoolerAdmin.Setting("1", true),
                "stats_users", new io.learningdb.operator.postgres.PoolerAdmin.Setting("a,b", true),
                "listen_backlog", new io.learningdb.operator.postgres.PoolerAdmin.Setting("128", false));
        var desired = new java.util.LinkedHashMap<String, String>();
        desired.put("default_pool_size", "35");
        desired.put("server_login_retry", "1.0");
        desired.put("log_connections", "on");
        desired.put("stats_users", "a, b");
        desired.put("listen_backlog", "4096");
        desired.put("unknown_to_this_version", "x");
        assertThat(io.learningdb.operator.postgres.PoolerReload.differences(desired, running, PoolerConfig.NOT_RELOADED))
                .containsExactly("default_pool_size: 20 → 35");
    }
}
