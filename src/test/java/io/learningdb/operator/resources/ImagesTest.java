package io.learningdb.operator.resources;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import io.learningdb.operator.model.PostgresSpec;

/** The image catalogue: one pinned image per major version, the spec's image first, the chart's values the same. */
class ImagesTest {

    static final Map<Integer, String> DEFAULT = Images.catalogue(Images.DEFAULT_CATALOGUE);

    @Test
    void everyMajorTheCrdAdmitsHasAnImagePinnedToAMinorReleaseOfThatMajor() throws Exception {
        var field = PostgresSpec.class.getDeclaredField("version");
        long min = (long) field.getAnnotation(io.fabric8.generator.annotation.Min.class).value();
        long max = (long) field.getAnnotation(io.fabric8.generator.annotation.Max.class).value();
        var majors = IntStream.rangeClosed((int) min, (int) max).boxed().toList();
        assertThat(DEFAULT.keySet()).containsExactlyElementsOf(majors);
        DEFAULT.forEach((major, image) -> assertThat(image).as("major " + major)
                .matches(".*:" + major + "\\.\\d+$|.*@sha256:[0-9a-f]{64}$"));
    }

    @Test
    void theSpecsImageWinsThenTheCatalogueThenTheRepositoryTaggedWithTheMajor() {
        var pinned = Fixtures.ldb("postgres:\n  version: 15\n");
        assertThat(Images.postgres(pinned, DEFAULT, "repo", "backup")).isEqualTo("docker.io/library/postgres:15.20");
        var own = Fixtures.ldb("postgres:\n  version: 15\n  image: registry.example/pg:15-custom\n");
        assertThat(Images.postgres(own, DEFAULT, "repo", "backup")).isEqualTo("registry.example/pg:15-custom");
        assertThat(Images.postgres(pinned, Map.of(), "repo", "backup")).isEqualTo("repo:15");
    }

    @Test
    void aMalformedCatalogueIsRefusedWithWhatIsExpected() {
        assertThat(Images.catalogue(" 16 = r:16.1 ,, 17=r@sha256:" + "a".repeat(64) + ","))
                .containsEntry(16, "r:16.1").containsKey(17);
        assertThatThrownBy(() -> Images.catalogue("16:r:16.1")).hasMessageContaining("<major>=<image>");
    }

    @Test
    void theChartInstallsTheSameCatalogue() throws Exception {
        var values = new ObjectMapper(new YAMLFactory()).readTree(
                Files.readString(Path.of("helm/learningdb-operator/values.yaml")));
        var images = values.path("postgres").path("images");
        Map<Integer, String> chart = new java.util.TreeMap<>();
        images.fields().forEachRemaining(e -> chart.put(Integer.parseInt(e.getKey()), e.getValue().asText()));
        assertThat(chart).isEqualTo(DEFAULT);
        assertThat(DEFAULT.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(",")))
                .isEqualTo(Images.DEFAULT_CATALOGUE);
    }
}
