package dev.ferry.local.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;

/**
 * Kubernetes protobuf request bodies of the kinds kubectl's generators create with a typed client
 * ({@code kubectl create namespace|configmap|secret}): the {@code k8s\0} envelope
 * ({@code runtime.Unknown}: type meta, raw object) decoded into the JSON object, by the field
 * numbers of {@code k8s.io/api/core/v1/generated.proto}. Other kinds are refused, naming JSON as
 * the way; every length is bounded by the body it is read from.
 */
final class ProtobufBodies {
    static final String MEDIA_TYPE = "application/vnd.kubernetes.protobuf";
    private static final byte[] MAGIC = {'k', '8', 's', 0};
    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    private enum Type { STRING, BYTES, INT, BOOL, STRINGS, STRING_MAP, BYTES_MAP, MESSAGE }

    private record Field(String name, Type type, Map<Integer, Field> message) {
        static Field of(String name, Type type) {
            return new Field(name, type, null);
        }
    }

    private static final Map<Integer, Field> OWNER_REFERENCE = Map.of(1, Field.of("kind", Type.STRING), 3, Field.of("name", Type.STRING),
            4, Field.of("uid", Type.STRING), 5, Field.of("apiVersion", Type.STRING), 6, Field.of("controller", Type.BOOL),
            7, Field.of("blockOwnerDeletion", Type.BOOL));
    private static final Map<Integer, Field> OBJECT_META = Map.ofEntries(Map.entry(1, Field.of("name", Type.STRING)),
            Map.entry(2, Field.of("generateName", Type.STRING)), Map.entry(3, Field.of("namespace", Type.STRING)),
            Map.entry(5, Field.of("uid", Type.STRING)), Map.entry(6, Field.of("resourceVersion", Type.STRING)),
            Map.entry(11, Field.of("labels", Type.STRING_MAP)), Map.entry(12, Field.of("annotations", Type.STRING_MAP)),
            Map.entry(13, new Field("ownerReferences", Type.MESSAGE, OWNER_REFERENCE)), Map.entry(14, Field.of("finalizers", Type.STRINGS)));
    private static final Field METADATA = new Field("metadata", Type.MESSAGE, OBJECT_META);
    private static final Map<String, Map<Integer, Field>> KINDS = Map.of(
            "Namespace", Map.of(1, METADATA, 2, new Field("spec", Type.MESSAGE, Map.of(1, Field.of("finalizers", Type.STRINGS)))),
            "ConfigMap", Map.of(1, METADATA, 2, Field.of("data", Type.STRING_MAP), 3, Field.of("binaryData", Type.BYTES_MAP),
                    4, Field.of("immutable", Type.BOOL)),
            "Secret", Map.of(1, METADATA, 2, Field.of("data", Type.BYTES_MAP), 3, Field.of("type", Type.STRING),
                    4, Field.of("stringData", Type.STRING_MAP), 5, Field.of("immutable", Type.BOOL)),
            "ServiceAccount", Map.of(1, METADATA));

    private ProtobufBodies() {
    }

    /** The JSON object of a protobuf body; {@link IllegalArgumentException} naming what is wrong. */
    static ObjectNode decode(byte[] body) {
        if (body.length < MAGIC.length || !java.util.Arrays.equals(body, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
            throw new IllegalArgumentException("not a Kubernetes protobuf body (no k8s\\0 prefix)");
        }
        Reader unknown = new Reader(body, MAGIC.length, body.length);
        String apiVersion = null;
        String kind = null;
        byte[] raw = null;
        while (unknown.more()) {
            long key = unknown.varint();
            int number = (int) (key >>> 3);
            if (number == 1 && (key & 7) == 2) {
                Reader typeMeta = unknown.nested();
                while (typeMeta.more()) {
                    long k = typeMeta.varint();
                    if ((k >>> 3) == 1) {
                        apiVersion = typeMeta.string();
                    } else if ((k >>> 3) == 2) {
                        kind = typeMeta.string();
                    } else {
                        typeMeta.skip(k);
                    }
                }
            } else if (number == 2 && (key & 7) == 2) {
                raw = unknown.bytes();
            } else {
                unknown.skip(key);
            }
        }
        Map<Integer, Field> schema = kind == null ? null : KINDS.get(kind);
        if (schema == null || raw == null) {
            throw new IllegalArgumentException("a protobuf body of " + (kind == null ? "an unnamed kind" : kind)
                    + " is not decoded here (Namespace, ConfigMap, Secret and ServiceAccount are); send JSON");
        }
        ObjectNode object = F.objectNode().put("apiVersion", apiVersion).put("kind", kind);
        object.setAll(message(new Reader(raw, 0, raw.length), schema));
        if (kind.equals("Secret") && !object.has("type")) {
            object.put("type", "Opaque");
        }
        return object;
    }

    private static ObjectNode message(Reader in, Map<Integer, Field> schema) {
        ObjectNode out = F.objectNode();
        while (in.more()) {
            long key = in.varint();
            Field field = schema.get((int) (key >>> 3));
            if (field == null) {
                in.skip(key);
                continue;
            }
            switch (field.type()) {
                case STRING -> {
                    String value = in.string();
                    if (!value.isEmpty()) {
                        out.put(field.name(), value); // the Go types write empty strings; JSON omits them
                    }
                }
                case BYTES -> out.put(field.name(), Base64.getEncoder().encodeToString(in.bytes()));
                case INT -> out.put(field.name(), in.varint());
                case BOOL -> out.put(field.name(), in.varint() != 0);
                case STRINGS -> (out.has(field.name()) ? (com.fasterxml.jackson.databind.node.ArrayNode) out.get(field.name())
                        : out.putArray(field.name())).add(in.string());
                case STRING_MAP, BYTES_MAP -> {
                    Reader entry = in.nested();
                    String k = "";
                    JsonNode v = F.textNode("");
                    while (entry.more()) {
                        long ek = entry.varint();
                        if ((ek >>> 3) == 1) {
                            k = entry.string();
                        } else if ((ek >>> 3) == 2) {
                            v = field.type() == Type.STRING_MAP ? F.textNode(entry.string())
                                    : F.textNode(Base64.getEncoder().encodeToString(entry.bytes()));
                        } else {
                            entry.skip(ek);
                        }
                    }
                    (out.has(field.name()) ? (ObjectNode) out.get(field.name()) : out.putObject(field.name())).set(k, v);
                }
                case MESSAGE -> {
                    ObjectNode nested = message(in.nested(), field.message());
                    if (field.name().equals("ownerReferences")) {
                        (out.has(field.name()) ? (com.fasterxml.jackson.databind.node.ArrayNode) out.get(field.name())
                                : out.putArray(field.name())).add(nested);
                    } else {
                        out.set(field.name(), nested);
                    }
                }
                default -> in.skip(key);
            }
        }
        return out;
    }

    /** Protobuf wire format over a bounded slice. */
    private static final class Reader {
        private final byte[] data;
        private int at;
        private final int end;

        Reader(byte[] data, int from, int end) {
            this.data = data;
            this.at = from;
            this.end = end;
        }

        boolean more() {
            return at < end;
        }

        long varint() {
            long value = 0;
            for (int shift = 0; shift < 64; shift += 7) {
                if (at >= end) {
                    throw new IllegalArgumentException("protobuf body ends inside a number");
                }
                byte b = data[at++];
                value |= (long) (b & 0x7f) << shift;
                if (b >= 0) {
                    return value;
                }
            }
            throw new IllegalArgumentException("protobuf number longer than 10 bytes");
        }

        private int length() {
            long n = varint();
            if (n < 0 || n > end - at) {
                throw new IllegalArgumentException("protobuf field of " + n + " bytes where " + (end - at) + " remain");
            }
            return (int) n;
        }

        byte[] bytes() {
            int n = length();
            byte[] out = java.util.Arrays.copyOfRange(data, at, at + n);
            at += n;
            return out;
        }

        String string() {
            int n = length();
            String s = new String(data, at, n, StandardCharsets.UTF_8);
            at += n;
            return s;
        }

        Reader nested() {
            int n = length();
            Reader r = new Reader(data, at, at + n);
            at += n;
            return r;
        }

        void skip(long key) {
            switch ((int) (key & 7)) {
                case 0 -> varint();
                case 1 -> advance(8);
                case 2 -> advance(length());
                case 5 -> advance(4);
                default -> throw new IllegalArgumentException("protobuf wire type " + (key & 7) + " is not supported");
            }
        }

        private void advance(int n) {
            if (n > end - at) {
                throw new IllegalArgumentException("protobuf body ends inside a field");
            }
            at += n;
        }
    }
}
