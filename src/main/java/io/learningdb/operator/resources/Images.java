package io.learningdb.operator.resources;

import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

import io.learningdb.operator.config.OperatorConfig;
import io.learningdb.operator.model.LearningDatabase;

/**
 * Which image each workload runs: the spec's override, else the operator's image catalogue — one image per PostgreSQL
 * major version, pinned to a minor release (or a digest), so that every instance of a cluster runs the same build
 * whatever node pulled it and a minor upgrade is a deliberate change of the catalogue (which rolls the instances:
 * replicas first, then a switchover).
 */
public final class Images {

    /**
     * The default catalogue: the minor releases of 2026-11 (PostgreSQL releases every supported branch together;
     * 15.20 is the version Debian's security archive carries, the others are its siblings of the same release).
     */
    public static final String DEFAULT_CATALOGUE = "14=docker.io/library/postgres:14.25,"
            + "15=docker.io/library/postgres:15.20,16=docker.io/library/postgres:16.16,17=docker.io/library/postgres:17.12";

    private static final Pattern ENTRY = Pattern.compile("\\s*(\\d+)\\s*=\\s*(\\S+)\\s*");

    private Images() {
    }

    public static String postgres(LearningDatabase ldb, OperatorConfig config) {
        return postgres(ldb, catalogue(config.postgresImages()), config.postgresImageRepository(),
                config.postgresBackupImageRepository());
    }

    /**
     * @param catalogue major version to image
     * @param repository for a major the catalogue lacks: {@code <repository>:<major>}
     */
    public static String postgres(LearningDatabase ldb, Map<Integer, String> catalogue, String repository,
            String backupRepository) {
        String image = ldb.getSpec().getPostgres().getImage();
        if (image != null && !image.isBlank()) {
            return image;
        }
        return postgres(ldb, ldb.getSpec().getPostgres().getVersion(), catalogue, repository, backupRepository);
    }

    /** The operator's image for major {@code major} (the spec's image is not looked at: it names the spec's major). */
    public static String postgres(LearningDatabase ldb, int major, OperatorConfig config) {
        return postgres(ldb, major, catalogue(config.postgresImages()), config.postgresImageRepository(),
                config.postgresBackupImageRepository());
    }

    private static String postgres(LearningDatabase ldb, int major, Map<Integer, String> catalogue, String repository,
            String backupRepository) {
        // backups and recovery need pgBackRest in the instance image (archive_command, restore, the TLS server)
        if (BackupConfig.needed(ldb)) {
            return backupRepository + ":" + major;
        }
        return catalogue.getOrDefault(major, repository + ":" + major);
    }

    /** {@code 15=repo:15.20,16=repo@sha256:...}; blank entries are skipped, a malformed one is refused. */
    public static Map<Integer, String> catalogue(String text) {
        var out = new TreeMap<Integer, String>();
        for (String entry : text == null ? new String[0] : text.split(",")) {
            if (entry.isBlank()) {
                continue;
            }
            var m = ENTRY.matcher(entry);
            if (!m.matches()) {
                throw new IllegalArgumentException("learningdb.postgres-images: '" + entry.trim()
                        + "' is not <major>=<image> (e.g. 16=docker.io/library/postgres:16.16)");
            }
            out.put(Integer.parseInt(m.group(1)), m.group(2));
        }
        return out;
    }

    public static String pooler(LearningDatabase ldb, OperatorConfig config) {
        String image = ldb.getSpec().getPooler().getImage();
        return image != null && !image.isBlank() ? image : config.poolerImage();
    }
}
