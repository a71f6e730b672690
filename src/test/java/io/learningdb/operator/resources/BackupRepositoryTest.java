package io.learningdb.operator.resources;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class BackupRepositoryTest {

    static final BackupRepository.Store STORE = new BackupRepository.Store("s3.example.com", 443, "ldb-backups",
            "/platform/", "eu-west-1", false, null);

    @Test
    void eachClusterHasItsOwnPathUnderThePrefix() {
        assertThat(BackupRepository.repoPath(STORE, "school", "courses")).isEqualTo("/platform/school/courses");
        assertThat(BackupRepository.repoPath(new BackupRepository.Store("h", 443, "b", "", "r", true, null), "ns", "c"))
                .isEqualTo("/ns/c");
    }

    @Test
    void theConfigurationNamesTheStoreAndTheInstanceButNeverTheKeys() {
        String conf = BackupRepository.config(STORE, "/platform/school/courses",
                new BackupRepository.Instance("/var/lib/postgresql/data/pgdata", "/var/run/postgresql", 5432, "/tmp/learningdb"),
                new BackupRepository.Retention(7), "lz4");
        assertThat(conf).contains("repo1-type=s3\n", "repo1-s3-endpoint=s3.example.com\n", "repo1-s3-bucket=ldb-backups\n",
                "repo1-s3-uri-style=host\n", "repo1-path=/platform/school/courses\n", "repo1-retention-full=7\n",
                "compress-type=lz4\n", "archive-async=y\n", "[learningdb]\npg1-path=/var/lib/postgresql/data/pgdata\n")
                .doesNotContain("repo1-s3-key", "repo1-storage-ca-file");
        assertThat(BackupRepository.archiveSettings())
                .containsEntry("archive_mode", "on")
                .as("the file comes from $PGBACKREST_CONFIG: the recovering server's archives into this cluster's path")
                .containsEntry("archive_command", "pgbackrest --stanza=learningdb archive-push %p");
    }

    @Test
    void retentionIsByCountOrByAgeInDays() {
        var instance = new BackupRepository.Instance("/d", "/s", 5432, "/r");
        assertThat(BackupRepository.config(STORE, "/p", instance, BackupRepository.Retention.of(null), "lz4"))
                .contains("repo1-retention-full-type=count\nrepo1-retention-full=7\n");
        var byAge = new io.learningdb.operator.model.BackupRetention();
        byAge.setAge("30d");
        assertThat(BackupRepository.config(STORE, "/p", instance, BackupRepository.Retention.of(byAge), "zst"))
                .contains("repo1-retention-full-type=time\nrepo1-retention-full=30\n", "compress-type=zst\n");
    }

    @Test
    void theInstanceServesTheBackupJobOverTlsAndAdmitsOnlyItsCertificate() {
        var instance = new BackupRepository.Instance("/var/lib/postgresql/data/pgdata", "/var/run/postgresql", 5432, "/tmp/learningdb");
        var tls = new BackupRepository.TlsFiles("/tls/tls.crt", "/tls/tls.key", "/tls/ca.crt");
        assertThat(BackupRepository.config(STORE, "/p", instance, new BackupRepository.Retention(2), "lz4", tls, 8432))
                .contains("tls-server-address=*\n", "tls-server-port=8432\n", "tls-server-ca-file=/tls/ca.crt\n",
                        "tls-server-auth=learningdb-backup=learningdb\n");
        var client = new BackupRepository.TlsFiles("/tls/client.crt", "/tls/client.key", "/tls/ca.crt");
        String job = BackupRepository.jobConfig(STORE, "/p", instance, "courses-rw.school.svc", 8432, client, "/tmp/run",
                new BackupRepository.Retention(2), "lz4");
        assertThat(job).contains("pg1-host=courses-rw.school.svc\n", "pg1-host-type=tls\n", "pg1-host-cert-file=/tls/client.crt\n",
                "pg1-path=/var/lib/postgresql/data/pgdata\n").doesNotContain("archive-async", "tls-server");
    }
}
