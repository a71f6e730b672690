package io.learningdb.operator.crd;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.yaml.snakeyaml.Yaml;

/** Every sample is accepted by the CRD's schema and CEL rules; bad specs are refused with a clear message. */
class SamplesValidationTest {

    static final CrdValidator CRD = CrdValidator.fromCommittedCrd();

    /** Every LearningDatabase document in samples/, as (file, document). */
    @SuppressWarnings("unchecked")
    static Stream<Object[]> samples() throws IOException {
        var result = new ArrayList<Object[]>();
        try (var files = Files.list(Path.of("samples"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList()) {
                for (Object doc : new Yaml().loadAll(Files.readString(f))) {
                    var map = (Map<String, Object>) doc;
                    if (map != null && "LearningDatabase".equals(map.get("kind"))) {
                        result.add(new Object[] { f.getFileName().toString(), map });
                    }
                }
            }
        }
        assertThat(result).hasSizeGreaterThanOrEqualTo(2);
        return result.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("samples")
    void sampleIsAccepted(String file, Map<String, Object> sample) {
        assertThat(CRD.validateCreate(sample)).as(file).isEmpty();
    }

    static Map<String, Object> ldb(String name, String spec) {
        return CrdValidator.parse("""
                apiVersion: learningdb.io/v1alpha1
                kind: LearningDatabase
                metadata:
                  name: %s
                spec:
                %s
                """.formatted(name, spec.indent(2)));
    }

    List<String> refused(String spec) {
        return CRD.validateCreate(ldb("db", spec));
    }

    @Test
    void operatorManagedPostgresSettingsAreRefused() {
        assertThat(refused("postgres:\n  parameters:\n    wal_level: minimal\n"))
                .singleElement().asString().contains("parameters may not set settings the operator manages");
        assertThat(refused("postgres:\n  parameters:\n    primary_conninfo: host=evil\n")).hasSize(1);
        assertThat(refused("postgres:\n  parameters:\n    work_mem: 64MB\n")).isEmpty();
        assertThat(refused("replicas: 2\nreplication:\n  synchronousReplicas: 1\npostgres:\n  parameters:\n    synchronous_commit: local\n"))
                .singleElement().asString().contains("synchronous_commit is managed by the operator");
        assertThat(refused("replicas: 2\npostgres:\n  parameters:\n    synchronous_commit: local\n")).isEmpty();
    }

    @Test
    void configInjectionIsRefused() {
        assertThat(refused("postgres:\n  parameters:\n    work_mem: \"1MB\\nwal_level = minimal\"\n"))
                .anySatisfy(p -> assertThat(p).contains("may not contain line breaks"));
        assertThat(refused("postgres:\n  parameters:\n    \"Bad Key\": x\n"))
                .anySatisfy(p -> assertThat(p).contains("parameter names must match"));
    }

    @Test
    void operatorManagedPoolerSettingsAreRefused() {
        assertThat(refused("pooler:\n  parameters:\n    auth_type: trust\n"))
                .singleElement().asString().contains("pooler parameters may not set settings the operator manages");
        assertThat(refused("pooler:\n  parameters:\n    server_idle_timeout: \"60\"\n")).isEmpty();
    }

    @Test
    void boundsEnumsAndPatternsAreEnforced() {
        assertThat(refused("replicas: 16\n")).singleElement().asString().contains("must be <= 15");
        assertThat(refused("replicas: -1\n")).singleElement().asString().contains("must be >= 0");
        assertThat(refused("pooler:\n  poolMode: chaos\n")).singleElement().asString().contains("must be one of");
        assertThat(refused("postgres:\n  storage:\n    size: lots\n")).singleElement().asString().contains("must match");
        assertThat(refused("bootstrap:\n  owner: postgres\n")).singleElement().asString()
                .contains("bootstrap.owner may not be a role the operator manages");
        assertThat(refused("bootstrap:\n  database: template1\n")).singleElement().asString()
                .contains("may not be a system database");
        assertThat(refused("bootstrap:\n  initSQL:\n    key: init.sql\n")).singleElement().asString()
                .contains("initSQL.name: required");
        assertThat(refused("replicas: 2\n  typo: 1\n".replace("  typo", "typo"))).singleElement().asString()
                .contains("typo: unknown field");
    }

    static final String STORE = """
            store:
              endpoint: s3.eu-west-1.amazonaws.com
              bucket: platform-backups
              credentials:
                secretName: s3-keys
            """;

    @Test
    void backupsAndRecoveryAreValidatedAtAdmission() {
        assertThat(refused("backup:\n" + STORE.indent(2))).isEmpty();
        assertThat(refused("backup:\n" + STORE.indent(2) + "  retention:\n    fullBackups: 7\n    age: 30d\n"))
                .singleElement().asString().contains("by fullBackups or by age, not both");
        assertThat(refused("backup:\n" + STORE.indent(2) + "  retention:\n    age: 3 wk\n"))
                .singleElement().asString().contains("must match");
        assertThat(refused("backup:\n" + STORE.indent(2) + "  schedule: nightly\n")).singleElement().asString()
                .contains("must match");
        assertThat(refused("backup:\n" + STORE.replace("platform-backups", "Platform_Backups").indent(2)))
                .singleElement().asString().contains("bucket");
        assertThat(refused("backup:\n  store:\n    endpoint: s3.example.com\n    bucket: b12\n")).singleElement().asString()
                .contains("credentials: required");
        // a recovery names a store (its own or spec.backup's) and at most one target
        assertThat(refused("bootstrap:\n  recovery:\n    source: lms\n")).singleElement().asString()
                .contains("needs the store of the source's backups");
        assertThat(refused("backup:\n" + STORE.indent(2) + "bootstrap:\n  recovery:\n    source: lms\n"
                + "    targetTime: \"2026-12-01T10:15:00Z\"\n")).isEmpty();
        assertThat(refused("bootstrap:\n  recovery:\n    source: lms\n" + STORE.indent(4)
                + "    targetLSN: 0/3000060\n")).isEmpty();
        assertThat(refused("backup:\n" + STORE.indent(2) + "bootstrap:\n  recovery:\n    source: lms\n"
                + "    targetTime: \"2026-12-01T10:15:00Z\"\n    targetLSN: 0/3000060\n")).singleElement().asString()
                .contains("one target");
        assertThat(refused("backup:\n" + STORE.indent(2) + "bootstrap:\n  recovery:\n    source: lms\n"
                + "    targetTime: yesterday\n")).singleElement().asString().contains("must match");
        assertThat(refused("backup:\n" + STORE.indent(2) + "bootstrap:\n  initSQL:\n    name: schema\n"
                + "  recovery:\n    source: lms\n")).singleElement().asString().contains("initSQL does not apply");
    }

    @Test
    void schedulesAndMaintenanceBlocksAreValidated() {
        assertThat(refused("maintenance:\n  vacuum:\n    schedule: \"every night\"\n")).singleElement().asString()
                .contains("schedule: must match");
        assertThat(refused("maintenance:\n  vacuum:\n    schedule: \"0 3 * *\"\n")).singleElement().asString()
                .contains("schedule: must match");
        assertThat(refused("maintenance:\n  vacuum:\n    schedule: \"0 3 * * 1-5\"\n    timeZone: Europe/Berlin\n")).isEmpty();
        assertThat(refused("materializedViews:\n  schedule: \"@hourly\"\n")).isEmpty();
        assertThat(refused("partitioning:\n  tables: []\n")).singleElement().asString().contains("tables");
        assertThat(refused("partitioning:\n  tables:\n    - {table: \"events; DROP TABLE x\", column: ts}\n"))
                .singleElement().asString().contains("must match");
        assertThat(refused("partitioning:\n  tables:\n    - {table: events, column: ts, retentionPolicy: truncate}\n"))
                .singleElement().asString().contains("must be one of");
        assertThat(refused("partitioning:\n  tables:\n    - {table: events, column: ts}\n    - {table: events, column: ts}\n"))
                .singleElement().asString().contains("each table may be listed once");
        assertThat(refused("partitioning:\n  tables:\n    - {table: events}\n")).singleElement().asString()
                .contains("column: required");
        assertThat(refused("maintenance:\n  vacuum:\n    deadTupleRatio: 1.5\n")).singleElement().asString()
                .contains("must be <= 1");
    }

    @Test
    void theCertificateServedCannotBeTheOneTheOperatorIssues() {
        // both would be the same Secret: the operator would issue into the user's certificate, or never issue its own
        assertThat(refused("tls:\n  serverSecretName: db-tls\n")).singleElement().asString()
                .contains("tls.serverSecretName must not be <name>-tls");
        assertThat(refused("tls:\n  serverSecretName: db-own-tls\n")).isEmpty();
        assertThat(CRD.validateCreate(ldb("lms", "tls:\n  serverSecretName: db-tls\n"))).isEmpty();
    }

    @Test
    void longNamesAreRefusedBecauseDerivedNamesWouldNotFit() {
        assertThat(CRD.validateCreate(ldb("a".repeat(41), "replicas: 1\n"))).singleElement().asString()
                .contains("metadata.name must be at most 40 characters");
        assertThat(CRD.validateCreate(ldb("a".repeat(40), "replicas: 1\n"))).isEmpty();
    }

    @Test
    void immutableFieldsCannotChangeButOthersCan() {
        var before = ldb("db", "postgres:\n  version: 16\n  storage:\n    size: 10Gi\nbootstrap:\n  database: app\n");
        assertThat(CRD.validateUpdate(before, ldb("db", "postgres:\n  version: 17\n  storage:\n    size: 10Gi\nbootstrap:\n  database: app\n")))
                .as("a major upgrade").isEmpty();
        assertThat(CRD.validateUpdate(before, ldb("db", "postgres:\n  version: 15\n  storage:\n    size: 10Gi\nbootstrap:\n  database: app\n")))
                .as("withdrawing a raise that has not started; below the data's major the operator refuses it (SpecValidator)")
                .isEmpty();
        assertThat(CRD.validateUpdate(before, ldb("db", "postgres:\n  version: 16\n  storage:\n    size: 20Gi\nbootstrap:\n  database: app\n")))
                .as("storage grows").isEmpty();
        assertThat(CRD.validateUpdate(before, ldb("db", "postgres:\n  version: 16\n  storage:\n    size: 5Gi\nbootstrap:\n  database: app\n")))
                .singleElement().asString().contains("postgres.storage.size can grow but not shrink");
        assertThat(CRD.validateUpdate(before, ldb("db", "postgres:\n  version: 16\n  storage:\n    size: 10Gi\nbootstrap:\n  database: other\n")))
                .singleElement().asString().contains("bootstrap is immutable");
        assertThat(CRD.validateUpdate(before, ldb("db", "replicas: 5\npostgres:\n  version: 16\n  storage:\n    size: 10Gi\n  parameters:\n    work_mem: 8MB\nbootstrap:\n  database: app\n")))
                .isEmpty();
    }

    @Test
    void storageSizeIsComparedByAmountAcrossUnits() {
        record Change(String from, String to, boolean admitted) {
        }
        for (var c : List.of(new Change("10Gi", "10240Mi", true), new Change("10Gi", "11G", true),
                new Change("10G", "9Gi", false), new Change("500Gi", "1Ti", true), new Change("1Ti", "1023Gi", false),
                new Change("1000000k", "1G", true), new Change("2147483648", "2Gi", true), new Change("2Gi", "2147483647", false))) {
            var before = ldb("db", "postgres:\n  storage:\n    size: \"" + c.from() + "\"\n");
            var after = ldb("db", "postgres:\n  storage:\n    size: \"" + c.to() + "\"\n");
            assertThat(CRD.validateUpdate(before, after)).as(c.from() + " -> " + c.to())
                    .satisfies(problems -> assertThat(problems.isEmpty()).isEqualTo(c.admitted()));
        }
    }

    @Test
    void storageVersionAndBootstrapCannotSlipInThroughABlockAbsentAtCreation() {
        // created without a postgres or bootstrap block: the blocks are defaulted, so transition rules always apply
        var created = ldb("db", "replicas: 1\n");
        assertThat(CRD.validateUpdate(created, ldb("db", "replicas: 1\npostgres:\n  storage:\n    size: 5Gi\n")))
                .anySatisfy(p -> assertThat(p).contains("postgres.storage.size can grow but not shrink"));
        assertThat(CRD.validateUpdate(created, ldb("db", "replicas: 1\npostgres:\n  storage:\n    storageClassName: fast\n")))
                .anySatisfy(p -> assertThat(p).contains("postgres.storage.storageClassName is immutable"));
        assertThat(CRD.validateUpdate(created, ldb("db", "replicas: 1\nbootstrap:\n  database: other\n")))
                .anySatisfy(p -> assertThat(p).contains("bootstrap is immutable"));
        assertThat(CRD.validateUpdate(created, ldb("db", "replicas: 2\npostgres:\n  parameters:\n    work_mem: 8MB\n")))
                .isEmpty();
    }

    @Test
    void namesThatWouldMakeInvalidServicesAreRefused() {
        for (String name : List.of("2024-courses", "courses.v2", "Courses", "-courses")) {
            assertThat(CRD.validateCreate(ldb(name, "replicas: 1\n"))).as(name)
                    .anySatisfy(p -> assertThat(p).contains("DNS-1035"));
        }
        assertThat(CRD.validateCreate(ldb("courses-v2", "replicas: 1\n"))).isEmpty();
    }

    @Test
    void storageClassNamesMustBeDnsSubdomains() {
        assertThat(refused("postgres:\n  storage:\n    storageClassName: Fast_SSD\n")).singleElement().asString()
                .contains("storageClassName");
        assertThat(refused("postgres:\n  storage:\n    storageClassName: fast-ssd.example.com\n")).isEmpty();
    }

    @Test
    void parametersThatRunShellCommandsLoadCodeOrBreakDurabilityAreRefused() {
        for (String p : List.of("archive_command", "restore_command", "archive_cleanup_command", "recovery_end_command",
                "ssl_passphrase_command", "shared_preload_libraries", "session_preload_libraries",
                "local_preload_libraries", "dynamic_library_path", "include", "include_dir", "fsync", "full_page_writes")) {
            assertThat(refused("postgres:\n  parameters:\n    " + p + ": \"x\"\n")).as(p)
                    .singleElement().asString().contains("may not set settings the operator manages");
        }
    }

    @Test
    void mapsAndStringsUnderRulesAreBounded() {
        var many = new StringBuilder("postgres:\n  parameters:\n");
        for (int i = 0; i <= 200; i++) {
            many.append("    custom.p").append(i).append(": \"1\"\n");
        }
        assertThat(refused(many.toString())).anySatisfy(p -> assertThat(p).contains("parameters"));
        assertThat(refused("postgres:\n  parameters:\n    search_path: \"" + "a".repeat(1025) + "\"\n"))
                .isNotEmpty();
    }
}
