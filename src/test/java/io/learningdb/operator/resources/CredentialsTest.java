package io.learningdb.operator.resources;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;

import org.junit.jupiter.api.Test;

class CredentialsTest {

    @Test
    void passwordsAreLongRandomAndSafeInUrisAndPassfiles() {
        var seen = new HashSet<String>();
        for (int i = 0; i < 200; i++) {
            String p = Credentials.generatePassword();
            assertThat(p).hasSize(32).matches("[A-Za-z0-9]+");
            seen.add(p);
        }
        assertThat(seen).hasSize(200);
    }

    @Test
    void appSecretHasEverythingAnApplicationNeeds() {
        var ldb = Fixtures.ldb("bootstrap:\n  database: learning\n  owner: learning_app\n");
        var s = Credentials.app(ldb, "pw123");
        assertThat(s.getMetadata().getName()).isEqualTo("courses-app");
        assertThat(Credentials.decode(s, "username")).isEqualTo("learning_app");
        assertThat(Credentials.decode(s, "password")).isEqualTo("pw123");
        assertThat(Credentials.decode(s, "uri")).isEqualTo("postgresql://learning_app:pw123@courses-pooler.edu.svc:5432/learning");
        assertThat(Credentials.decode(s, "jdbc-uri")).isEqualTo(
                "jdbc:postgresql://courses-pooler.edu.svc:5432/learning?user=learning_app&password=pw123&prepareThreshold=0");
        assertThat(Credentials.decode(s, "rw-uri")).contains("@courses-rw.edu.svc:5432/learning");
        assertThat(Credentials.decode(s, "ro-uri")).contains("@courses-ro.edu.svc:5432/learning");
    }

    @Test
    void poolerAuthSecretHasAPlainTextUserlist() {
        var s = Credentials.poolerAuth(Fixtures.ldb("replicas: 1\n"), "secret1");
        assertThat(Credentials.decode(s, "userlist.txt")).isEqualTo("\"pgbouncer_auth\" \"secret1\"\n");
    }
}
