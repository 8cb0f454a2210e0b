package dev.ferry.api.cdi.v1beta1;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.InputStream;
import java.util.Iterator;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** CDI-format DataVolume YAML must deserialize into the model and serialize back unchanged. */
class DataVolumeCompatibilityTest {
    private static final YAMLMapper YAML = new YAMLMapper();
    private static final ObjectMapper JSON = new ObjectMapper();

    static Stream<String> examples() {
        return Stream.of("http-storage", "http-pvc", "s3", "gcs", "registry", "registry-imagestream",
                "pvc-clone", "snapshot-clone", "upload", "blank", "imageio", "vddk", "sourceref",
                "archive-status");
    }

    @ParameterizedTest
    @MethodSource("examples")
    void roundTripsUnchanged(String name) throws IOException {
        JsonNode original = read(name);

        DataVolume dv = YAML.treeToValue(original, DataVolume.class);
        JsonNode written = JSON.readTree(Serialization.asJson(dv));

        assertThat(dropNullLeaves(written)).isEqualTo(dropNullLeaves(original));
    }

    @Test
    void typedFieldsAreReadable() throws IOException {
        DataVolume dv = YAML.treeToValue(read("archive-status"), DataVolume.class);

        assertThat(dv.getSpec().source.http.url).isEqualTo("http://files.example.org/data.tar");
        assertThat(dv.getSpec().contentType).isEqualTo(Phases.CONTENT_ARCHIVE);
        assertThat(dv.getSpec().storage.resources.getRequests().get("storage").toString()).isEqualTo("1Gi");
        assertThat(dv.getStatus().phase).isEqualTo(Phases.SUCCEEDED);
        assertThat(dv.getStatus().restartCount).isEqualTo(2);
        assertThat(dv.getStatus().conditions).extracting(c -> c.type)
                .containsExactly(Phases.CONDITION_BOUND, Phases.CONDITION_READY, Phases.CONDITION_RUNNING);
    }

    @Test
    void emptySourceMembersSurviveAsEmptyObjects() throws IOException {
        DataVolume dv = YAML.treeToValue(read("upload"), DataVolume.class);

        assertThat(dv.getSpec().source.upload).isNotNull();
        assertThat(dv.getSpec().source.blank).isNull();
        assertThat(Serialization.asJson(dv)).contains("\"upload\":{}");
    }

    private static JsonNode read(String name) throws IOException {
        try (InputStream in = DataVolumeCompatibilityTest.class.getResourceAsStream("/cdi-examples/" + name + ".yaml")) {
            assertThat(in).as("example %s", name).isNotNull();
            return YAML.readTree(in);
        }
    }

    /** An explicit {@code null} (as Go writes a zero metav1.Time) means "absent" to the API server. */
    private static JsonNode dropNullLeaves(JsonNode node) {
        JsonNode copy = node.deepCopy();
        strip(copy);
        return copy;
    }

    private static void strip(JsonNode node) {
        if (node instanceof ObjectNode object) {
            Iterator<Map.Entry<String, JsonNode>> fields = object.fields();
            while (fields.hasNext()) {
                Map.Entry<String, JsonNode> field = fields.next();
                if (field.getValue().isNull()) {
                    fields.remove();
                } else {
                    strip(field.getValue());
                }
            }
        } else if (node.isArray()) {
            node.forEach(DataVolumeCompatibilityTest::strip);
        }
    }
}
