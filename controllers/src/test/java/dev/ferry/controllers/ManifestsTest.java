package dev.ferry.controllers;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import dev.ferry.worker.env.ControllerEnv;
import dev.ferry.worker.env.NodeHandlerEnv;
import dev.ferry.worker.env.UploadProxyEnv;
import dev.ferry.worker.env.WorkerImages;
import org.junit.jupiter.api.Test;

/** Every manifest parses; every example validates against its generated CRD schema; kustomize lists what exists. */
class ManifestsTest {
    static final Path MANIFESTS = Path.of("..", "manifests");
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    @Test
    void everyManifestParsesAsKubernetesObjects() throws IOException {
        List<Path> files = yamlFiles(MANIFESTS);
        assertThat(files).hasSizeGreaterThan(10);
        for (Path file : files) {
            // kustomize's own file, and promtool's rule unit tests (monitoring/rules-test.yaml) are no Kubernetes objects
            if (file.getFileName().toString().equals("kustomization.yaml") || file.getFileName().toString().equals("rules-test.yaml")) {
                continue;
            }
            for (JsonNode document : documents(file)) {
                assertThat(document.path("apiVersion").asText()).as("%s apiVersion", file).isNotEmpty();
                assertThat(document.path("kind").asText()).as("%s kind", file).isNotEmpty();
                assertThat(document.path("metadata").path("name").asText()).as("%s metadata.name", file).isNotEmpty();
                if (!document.path("apiVersion").asText().startsWith("cdi.kubevirt.io")) {
                    Object typed = Serialization.unmarshal(YAML.writeValueAsString(document));
                    assertThat(typed).as("%s %s", file, document.path("kind").asText()).isInstanceOf(HasMetadata.class);
                }
            }
        }
    }

    @Test
    void kustomizationListsExistingFilesOnly() throws IOException {
        JsonNode kustomization = YAML.readTree(MANIFESTS.resolve("kustomization.yaml").toFile());
        assertThat(kustomization.path("resources")).isNotEmpty();
        for (JsonNode resource : kustomization.path("resources")) {
            assertThat(MANIFESTS.resolve(resource.asText())).as("kustomization resource").exists();
        }
        try (Stream<Path> crds = Files.list(MANIFESTS.resolve("crds"))) {
            List<String> listed = new ArrayList<>();
            kustomization.path("resources").forEach(r -> listed.add(r.asText()));
            List<String> generated = crds.map(p -> "crds/" + p.getFileName()).toList();
            // a cluster's CSI snapshot controller installs the snapshot API; ours serve local mode only
            assertThat(generated.stream().filter(crd -> !crd.contains("snapshot.storage.k8s.io"))).as("every generated CRD is deployed")
                    .allSatisfy(crd -> assertThat(listed).contains(crd));
            assertThat(listed).noneMatch(resource -> resource.contains("snapshot.storage.k8s.io"));
        }
    }

    @Test
    void everyExampleValidatesAgainstItsCrdSchema() throws IOException {
        Map<String, JsonSchema> schemas = schemas();
        List<Path> examples = yamlFiles(MANIFESTS.resolve("examples"));
        assertThat(examples).hasSizeGreaterThan(5);
        for (Path example : examples) {
            for (JsonNode document : documents(example)) {
                JsonSchema schema = schemas.get(document.path("apiVersion").asText().split("/")[0] + "/"
                        + document.path("kind").asText());
                assertThat(schema).as("a CRD for %s in %s", document.path("kind").asText(), example).isNotNull();
                assertThat(schema.validate(document)).as("%s", example).isEmpty();
            }
        }
    }

    @Test
    void theSchemaCatchesAMistake() throws IOException {
        JsonNode dv = documents(MANIFESTS.resolve("examples/http-storage.yaml")).get(0);
        ((ObjectNode) dv.path("spec").path("source").path("http")).put("url", 42);
        ((ObjectNode) dv.path("spec")).putArray("preallocation");
        Set<ValidationMessage> errors = schemas().get("cdi.kubevirt.io/DataVolume").validate(dv);
        assertThat(errors).extracting(ValidationMessage::getMessage)
                .anySatisfy(m -> assertThat(m).contains("url"))
                .anySatisfy(m -> assertThat(m).contains("preallocation"));
    }

    /** group/Kind → the CRD's openAPIV3Schema as a JSON schema. */
    static Map<String, JsonSchema> schemas() throws IOException {
        Map<String, JsonSchema> schemas = new HashMap<>();
        JsonSchemaFactory factory = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V4);
        for (Path crd : yamlFiles(MANIFESTS.resolve("crds"))) {
            JsonNode document = documents(crd).get(0);
            String key = document.path("spec").path("group").asText() + "/" + document.path("spec").path("names").path("kind").asText();
            schemas.put(key, factory.getSchema(document.path("spec").path("versions").get(0).path("schema").path("openAPIV3Schema")));
        }
        return schemas;
    }

    /**
     * The environment a Deployment or DaemonSet gives Ferry's processes is what their typed
     * environments read: a misspelt variable would be ignored silently.
     */
    @Test
    void deploymentsSetOnlyVariablesTheirProcessesRead() throws IOException {
        Path none = Path.of("/x");
        Map<String, Set<String>> read = Map.of(
                "controller.yaml", new ControllerEnv("ns", "id", WorkerImages.DEFAULTS, "tls", none, none, none, none, 1, 2,
                        List.of("r"), "auto").toEnv().keySet(),
                "uploadproxy.yaml", new UploadProxyEnv(1, none, none, none, none, true, "d", 1, "n", "t").toEnv().keySet(),
                "handler.yaml", NodeHandlerEnv.defaults("node").toEnv().keySet());
        for (Map.Entry<String, Set<String>> e : read.entrySet()) {
            List<String> set = new ArrayList<>();
            for (JsonNode document : documents(MANIFESTS.resolve("base").resolve(e.getKey()))) {
                document.findValues("env").forEach(env -> env.forEach(variable -> set.add(variable.path("name").asText())));
            }
            assertThat(set).as(e.getKey()).isNotEmpty();
            assertThat(e.getValue()).as(e.getKey() + " sets only variables its process reads").containsAll(set);
        }
    }

    static List<JsonNode> documents(Path file) throws IOException {
        List<JsonNode> documents = new ArrayList<>();
        try (YAMLParser parser = new YAMLFactory().createParser(file.toFile())) {
            for (JsonNode node : YAML.readValues(parser, JsonNode.class).readAll()) {
                if (node != null && !node.isNull() && !node.isEmpty()) {
                    documents.add(node);
                }
            }
        }
        return documents;
    }

    static List<Path> yamlFiles(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml")).sorted().toList();
        }
    }
}
