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
        assertThat(BackupRepository.archiveSettings("/etc/pgbackrest/pgbackrest.conf"))
                .containsEntry("archive_mode", "on")
                .containsEntry("archive_command", "'pgbackrest --config=/etc/pgbackrest/pgbackrest.conf --stanza=learningdb archive-push %p'");
    }
}
