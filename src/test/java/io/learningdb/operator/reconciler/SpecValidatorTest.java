package io.learningdb.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import io.learningdb.operator.model.ManagedSettings;
import io.learningdb.operator.resources.Fixtures;

class SpecValidatorTest {

    @Test
    void acceptsDefaultsAndRefusesWhatTheCrdRefuses() {
        assertThat(SpecValidator.validate(Fixtures.ldb("replicas: 2\n"))).isEmpty();
        assertThat(SpecValidator.validate(Fixtures.ldb("replicas: 16\n"))).singleElement().asString()
                .contains("replicas must be between 0 and 15");
        assertThat(SpecValidator.validate(Fixtures.ldb("postgres:\n  parameters:\n    port: \"1\"\n")))
                .singleElement().asString().contains("postgres.parameters.port is managed by the operator");
        assertThat(SpecValidator.validate(Fixtures.ldb("pooler:\n  parameters:\n    auth_file: /x\n")))
                .singleElement().asString().contains("pooler.parameters.auth_file");
        assertThat(SpecValidator.validate(Fixtures.ldb("bootstrap:\n  owner: replicator\n"))).hasSize(1);
        assertThat(SpecValidator.validate(Fixtures.ldb("a".repeat(41), "replicas: 1\n"))).hasSize(1);
    }

    @Test
    void managedSettingListsAreTheOnesInTheCrdRules() throws Exception {
        String crd = Files.readString(Path.of("crds/learningdatabases.learningdb.io-v1.yml")).replaceAll("\\\\\\n\\s*\\\\?", "");
        var found = new ArrayList<String>();
        var m = Pattern.compile("'([a-z_]+)'").matcher(crd);
        while (m.find()) {
            found.add(m.group(1));
        }
        assertThat(found).containsAll(ManagedSettings.postgres()).containsAll(ManagedSettings.pooler());
    }
}
