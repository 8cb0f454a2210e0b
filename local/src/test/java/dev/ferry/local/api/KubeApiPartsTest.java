package dev.ferry.local.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The pieces of local mode's API front as pure functions: printing, JSONPath, patches, selectors, protobuf, validation. */
class KubeApiPartsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void agesReadAsKubectlPrintsThem() {
        assertThat(Tables.human(Duration.ofSeconds(45))).isEqualTo("45s");
        assertThat(Tables.human(Duration.ofSeconds(119))).isEqualTo("119s");
        assertThat(Tables.human(Duration.ofSeconds(200))).isEqualTo("3m20s");
        assertThat(Tables.human(Duration.ofMinutes(90))).isEqualTo("90m");
        assertThat(Tables.human(Duration.ofMinutes(200))).isEqualTo("3h20m");
        assertThat(Tables.human(Duration.ofHours(30))).isEqualTo("30h");
        assertThat(Tables.human(Duration.ofHours(75))).isEqualTo("3d3h");
        assertThat(Tables.human(Duration.ofDays(400))).isEqualTo("400d");
        assertThat(Tables.human(Duration.ofDays(800))).isEqualTo("2y70d");
        assertThat(Tables.human(Duration.ofSeconds(-5))).isEqualTo("<invalid>");
    }

    @Test
    void printerColumnPathsSelectAsKubeApiServers() throws Exception {
        JsonNode vm = JSON.readTree("{\"status\":{\"printableStatus\":\"Running\",\"conditions\":[{\"type\":\"Paused\",\"status\":\"False\"},"
                + "{\"type\":\"Ready\",\"status\":\"True\"}],\"interfaces\":[{\"ipAddress\":\"10.0.0.2\"}]}}");
        assertThat(Tables.JsonPaths.select(vm, ".status.conditions[?(@.type=='Ready')].status")).singleElement()
                .extracting(JsonNode::asText).isEqualTo("True");
        assertThat(Tables.JsonPaths.select(vm, ".status.conditions[?(@.type==\"Paused\")].status").get(0).asText()).isEqualTo("False");
        assertThat(Tables.JsonPaths.select(vm, ".status.interfaces[0].ipAddress").get(0).asText()).isEqualTo("10.0.0.2");
        assertThat(Tables.JsonPaths.select(vm, ".status.conditions[*].type")).hasSize(2);
        assertThat(Tables.JsonPaths.select(vm, ".status.missing.deeper")).isEmpty();
    }

    @Test
    void aDataVolumeTableHasCdisColumnsAndAges() throws Exception {
        ApiResources.Resource dv = new ApiResources.Resource("cdi.kubevirt.io", "v1beta1", "datavolumes", "datavolume", "DataVolume", true,
                List.of("dv"), List.of("all"), ApiResources.ALL_VERBS, List.of("status"), List.of(
                        new ApiResources.Column("Phase", "string", ".status.phase", 0, ""),
                        new ApiResources.Column("Progress", "string", ".status.progress", 0, ""),
                        new ApiResources.Column("Restarts", "integer", ".status.restartCount", 0, ""), ApiResources.AGE), null, true);
        JsonNode object = JSON.readTree("{\"metadata\":{\"name\":\"fedora\",\"creationTimestamp\":\"2026-12-07T10:00:00Z\"},"
                + "\"status\":{\"phase\":\"Succeeded\",\"progress\":\"100.0%\",\"restartCount\":0}}");
        ObjectNode table = Tables.table(dv, List.of(object), "meta.k8s.io/v1", null, "7", Instant.parse("2026-12-07T10:03:20Z"));
        assertThat(table.path("columnDefinitions").findValuesAsText("name")).containsExactly("Name", "Phase", "Progress", "Restarts", "Age");
        assertThat(table.path("rows").get(0).path("cells").toString()).isEqualTo("[\"fedora\",\"Succeeded\",\"100.0%\",0,\"3m20s\"]");
        assertThat(table.path("rows").get(0).path("object").path("kind").asText()).isEqualTo("PartialObjectMetadata");
    }

    @Test
    void strategicMergeMergesNamedListsAndHonoursDirectives() throws Exception {
        JsonNode pod = JSON.readTree("{\"metadata\":{\"labels\":{\"a\":\"1\",\"b\":\"2\"},\"finalizers\":[\"x\"]},\"spec\":{\"containers\":["
                + "{\"name\":\"main\",\"image\":\"one\",\"env\":[{\"name\":\"A\",\"value\":\"1\"}]},{\"name\":\"side\",\"image\":\"s\"}],"
                + "\"tolerations\":[{\"key\":\"k\"}]}}");
        JsonNode patch = JSON.readTree("{\"metadata\":{\"labels\":{\"b\":null,\"c\":\"3\"},\"finalizers\":[\"y\"]},\"spec\":{"
                + "\"$setElementOrder/containers\":[{\"name\":\"main\"},{\"name\":\"side\"}],\"containers\":[{\"name\":\"main\",\"image\":\"two\","
                + "\"env\":[{\"name\":\"B\",\"value\":\"2\"}]},{\"name\":\"side\",\"$patch\":\"delete\"}],\"tolerations\":[{\"key\":\"j\"}]}}");
        JsonNode out = StrategicMerge.apply(pod, patch);
        assertThat(out.path("metadata").path("labels").toString()).isEqualTo("{\"a\":\"1\",\"c\":\"3\"}");
        assertThat(out.path("metadata").path("finalizers").toString()).isEqualTo("[\"x\",\"y\"]");
        assertThat(out.path("spec").path("containers")).hasSize(1);
        assertThat(out.path("spec").path("containers").get(0).path("image").asText()).isEqualTo("two");
        assertThat(out.path("spec").path("containers").get(0).path("env").findValuesAsText("name")).containsExactly("A", "B");
        assertThat(out.path("spec").path("tolerations").toString()).as("no merge key: replaced").isEqualTo("[{\"key\":\"j\"}]");
        assertThat(out.path("spec").has("$setElementOrder/containers")).isFalse();
        assertThat(pod.path("spec").path("containers")).as("the original is untouched").hasSize(2);

        JsonNode retained = StrategicMerge.apply(JSON.readTree("{\"spec\":{\"a\":1,\"b\":2}}"),
                JSON.readTree("{\"spec\":{\"$retainKeys\":[\"a\",\"c\"],\"c\":3}}"));
        assertThat(retained.path("spec").toString()).isEqualTo("{\"a\":1,\"c\":3}");
        JsonNode removed = StrategicMerge.apply(JSON.readTree("{\"metadata\":{\"finalizers\":[\"x\",\"y\"]}}"),
                JSON.readTree("{\"metadata\":{\"$deleteFromPrimitiveList/finalizers\":[\"x\"]}}"));
        assertThat(removed.path("metadata").path("finalizers").toString()).isEqualTo("[\"y\"]");
        assertThat(StrategicMerge.mergePatch(JSON.readTree("{\"a\":{\"b\":1,\"c\":2}}"), JSON.readTree("{\"a\":{\"c\":null,\"d\":[1]}}"))
                .toString()).isEqualTo("{\"a\":{\"b\":1,\"d\":[1]}}");
    }

    @Test
    void selectorsSetBasedAndFieldsFilterAsKubeApiServer() throws Exception {
        JsonNode a = JSON.readTree("{\"metadata\":{\"name\":\"a\",\"labels\":{\"app\":\"demo\",\"tier\":\"db\"}},\"involvedObject\":{\"name\":\"dv1\"}}");
        JsonNode b = JSON.readTree("{\"metadata\":{\"name\":\"b\",\"labels\":{\"app\":\"other\"}}}");
        assertThat(Selectors.labels("app in (demo, x)").test(a)).isTrue();
        assertThat(Selectors.labels("app in (demo, x)").test(b)).isFalse();
        assertThat(Selectors.labels("app notin (demo)").test(b)).isTrue();
        assertThat(Selectors.labels("tier,app=demo").test(a)).isTrue();
        assertThat(Selectors.labels("!tier").test(b)).isTrue();
        assertThat(Selectors.labels("app!=demo").test(a)).isFalse();
        assertThat(Selectors.fields("involvedObject.name=dv1,metadata.name!=b").test(a)).isTrue();
        assertThat(Selectors.fields("metadata.name==a").test(b)).isFalse();
        assertThatThrownBy(() -> Selectors.labels("app in demo)")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void protobufBodiesOfTypedClientsDecodeAndTruncationsAreRefused() {
        ByteArrayOutputStream typeMeta = new ByteArrayOutputStream();
        field(typeMeta, 1, "v1".getBytes(StandardCharsets.UTF_8));
        field(typeMeta, 2, "ConfigMap".getBytes(StandardCharsets.UTF_8));
        ByteArrayOutputStream meta = new ByteArrayOutputStream();
        field(meta, 1, "settings".getBytes(StandardCharsets.UTF_8));
        field(meta, 2, new byte[0]);
        field(meta, 11, entry("app", "demo"));
        ByteArrayOutputStream cm = new ByteArrayOutputStream();
        field(cm, 1, meta.toByteArray());
        field(cm, 2, entry("k", "v"));
        ByteArrayOutputStream unknown = new ByteArrayOutputStream();
        field(unknown, 1, typeMeta.toByteArray());
        field(unknown, 2, cm.toByteArray());
        byte[] body = concat(new byte[] {'k', '8', 's', 0}, unknown.toByteArray());

        ObjectNode decoded = ProtobufBodies.decode(body);
        assertThat(decoded.toString()).isEqualTo("{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"settings\","
                + "\"labels\":{\"app\":\"demo\"}},\"data\":{\"k\":\"v\"}}");
        assertThatThrownBy(() -> ProtobufBodies.decode(java.util.Arrays.copyOf(body, body.length - 3)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("remain");
        assertThatThrownBy(() -> ProtobufBodies.decode("{}".getBytes(StandardCharsets.UTF_8))).hasMessageContaining("k8s");
        byte[] huge = {'k', '8', 's', 0, 0x12, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x0f};
        assertThatThrownBy(() -> ProtobufBodies.decode(huge)).as("a length the body cannot hold allocates nothing")
                .hasMessageContaining("remain");
    }

    @Test
    void undeclaredFieldsAreFoundWherePreservedOnesAreNot() throws Exception {
        JsonNode schema = JSON.readTree("{\"type\":\"object\",\"properties\":{\"spec\":{\"type\":\"object\",\"properties\":{"
                + "\"source\":{\"type\":\"object\",\"properties\":{\"http\":{\"type\":\"object\",\"properties\":{\"url\":{\"type\":\"string\"}}},"
                + "\"blank\":{\"x-kubernetes-preserve-unknown-fields\":true}}},"
                + "\"labels\":{\"type\":\"object\",\"additionalProperties\":{\"type\":\"string\"}}}}}}");
        ApiResources.Resource r = new ApiResources.Resource("g", "v1", "things", "thing", "Thing", true, List.of(), List.of(),
                ApiResources.ALL_VERBS, List.of(), List.of(ApiResources.AGE), schema, true);
        byte[] body = ("{\"apiVersion\":\"g/v1\",\"kind\":\"Thing\",\"metadata\":{\"name\":\"x\"},\"spec\":{\"source\":{\"htp\":{},"
                + "\"http\":{\"url\":\"u\",\"proxy\":1},\"blank\":{\"anything\":true}},\"labels\":{\"free\":\"form\"}},\"extra\":1}")
                .getBytes(StandardCharsets.UTF_8);
        assertThat(FieldValidation.unknownFields(r, body, false)).containsExactlyInAnyOrder("spec.source.htp", "spec.source.http.proxy", "extra");
        assertThat(FieldValidation.unknownFields(r, "{\"spec\":{\"$patch\":\"replace\",\"source\":null}}".getBytes(StandardCharsets.UTF_8),
                true)).isEmpty();
    }

    @Test
    void pathsNameTheirResourceAndDiscoveryMediaTypesAreRead() {
        ApiResources resources = ApiResources.of(List.of());
        ApiResources.Target pod = resources.target("/api/v1/namespaces/ns1/pods/p1/log").orElseThrow();
        assertThat(List.of(pod.resource().kind(), pod.namespace(), pod.name(), pod.subresource())).containsExactly("Pod", "ns1", "p1", "log");
        ApiResources.Target namespace = resources.target("/api/v1/namespaces/ns1").orElseThrow();
        assertThat(namespace.resource().kind()).isEqualTo("Namespace");
        assertThat(namespace.name()).isEqualTo("ns1");
        assertThat(resources.target("/apis/storage.k8s.io/v1/storageclasses").orElseThrow().name()).isNull();
        assertThat(resources.target("/apis/example.com/v1/widgets")).isEmpty();
        assertThat(Discovery.aggregatedAsked("application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,"
                + "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json")).isEqualTo(Discovery.AGGREGATED_V2);
        assertThat(Discovery.aggregatedAsked("application/json, */*")).isNull();
        assertThat(Tables.tableAsked("application/json;as=Table;v=v1;g=meta.k8s.io,application/json")).isEqualTo("meta.k8s.io/v1");
    }

    private static byte[] entry(String key, String value) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        field(out, 1, key.getBytes(StandardCharsets.UTF_8));
        field(out, 2, value.getBytes(StandardCharsets.UTF_8));
        return out.toByteArray();
    }

    private static void field(ByteArrayOutputStream out, int number, byte[] bytes) {
        varint(out, (number << 3) | 2);
        varint(out, bytes.length);
        out.writeBytes(bytes);
    }

    private static void varint(ByteArrayOutputStream out, long value) {
        while ((value & ~0x7FL) != 0) {
            out.write((int) ((value & 0x7F) | 0x80));
            value >>>= 7;
        }
        out.write((int) value);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
