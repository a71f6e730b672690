package io.learningdb.operator.resources;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PostgresConfigTest {

    @Test
    void replicationSettingsAreManagedAndDoNotChangeWithTheReplicaCount() {
        assertThat(PostgresConfig.postgresqlConf(Fixtures.ldb("replicas: 1\n")))
                .isEqualTo(PostgresConfig.postgresqlConf(Fixtures.ldb("replicas: 5\n")));
        var conf = PostgresConfig.postgresqlConf(Fixtures.ldb("replicas: 3\n"));
        assertThat(conf).contains("wal_level = 'replica'\n", "hot_standby = 'on'\n", "max_wal_senders = '25'\n",
                "max_replication_slots = '25'\n", "wal_log_hints = 'on'\n", "password_encryption = 'scram-sha-256'\n",
                "hot_standby_feedback = 'on'\n");
        // identity goes on the command line (instance.sh), never into a file pg_basebackup would copy
        assertThat(conf).doesNotContain("port =", "listen_addresses", "primary_conninfo", "cluster_name");
    }

    @Test
    void memoryAndWalRetentionAreDerivedFromTheSpec() {
        var conf = PostgresConfig.postgresqlConf(Fixtures.ldb("""
                postgres:
                  storage:
                    size: 100Gi
                  resources:
                    limits:
                      memory: 8Gi
                """));
        assertThat(conf).contains("shared_buffers = '2048MB'", "effective_cache_size = '6144MB'",
                "max_slot_wal_keep_size = '25600MB'", "wal_keep_size = '1024MB'");
        assertThat(PostgresConfig.postgresqlConf(Fixtures.ldb("replicas: 1\n"))).doesNotContain("shared_buffers");
    }

    @Test
    void userParametersOverrideDefaultsOnceAndAreQuoted() {
        var conf = PostgresConfig.postgresqlConf(Fixtures.ldb("""
                postgres:
                  parameters:
                    max_connections: "400"
                    search_path: "'$user', public"
                """));
        assertThat(conf).containsOnlyOnce("max_connections").contains("max_connections = '400'")
                .contains("search_path = '''$user'', public'");
        assertThat(PostgresConfig.maxConnections(Fixtures.ldb("postgres:\n  parameters:\n    max_connections: \"400\"\n").getSpec()))
                .isEqualTo(400);
    }

    @Test
    void hbaIsScramEverywhereAndRestrictsReplicationToTheReplicationRole() {
        var hba = PostgresConfig.pgHbaConf();
        assertThat(hba).doesNotContain("trust", "md5", "password ");
        assertThat(hba).containsPattern("host\\s+replication\\s+replicator\\s+all\\s+scram-sha-256")
                .containsPattern("host\\s+replication\\s+all\\s+all\\s+reject")
                .containsPattern("local\\s+all\\s+postgres\\s+peer");
    }

    @Test
    void configMapCarriesBothFilesAndTheClusterLabels() {
        var cm = PostgresConfig.build(Fixtures.ldb("replicas: 1\n"));
        assertThat(cm.getMetadata().getName()).isEqualTo("courses-postgres-config");
        assertThat(cm.getData()).containsOnlyKeys("postgresql.conf", "pg_hba.conf");
        assertThat(cm.getMetadata().getLabels()).containsEntry(Labels.CLUSTER, "courses");
    }
}
