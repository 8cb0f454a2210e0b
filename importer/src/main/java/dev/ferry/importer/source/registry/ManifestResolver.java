package dev.ferry.importer.source.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.disk.DiskException;
import java.io.IOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;

/**
 * From a reference to the layers of one image: follows a manifest list / OCI index to the
 * manifest of the wanted platform (linux/ARCH), verifying every manifest fetched by digest.
 */
final class ManifestResolver {
    private static final ObjectMapper JSON = new ObjectMapper();
    static final int MAX_MANIFEST_BYTES = 4 << 20;

    private final RegistryClient client;
    private final String architecture;

    ManifestResolver(RegistryClient client, String architecture) {
        this.client = client;
        this.architecture = architecture;
    }

    /** The machine's architecture in OCI terms (amd64, arm64, ...). */
    static String hostArchitecture() {
        return switch (System.getProperty("os.arch").toLowerCase(Locale.ROOT)) {
            case "amd64", "x86_64" -> "amd64";
            case "aarch64", "arm64" -> "arm64";
            case "ppc64le" -> "ppc64le";
            case "s390x" -> "s390x";
            default -> System.getProperty("os.arch");
        };
    }

    List<Descriptor> layers(ImageReference image) throws IOException {
        RegistryClient.Manifest manifest = fetch(image.reference(), image.byDigest() ? image.reference() : null);
        JsonNode root = parse(manifest);
        if (root.has("manifests")) {
            Descriptor chosen = choose(root.get("manifests"), image);
            root = parse(fetch(chosen.digest(), chosen.digest()));
        }
        JsonNode layers = root.get("layers");
        if (layers == null || !layers.isArray() || layers.isEmpty()) {
            throw new DiskException(DiskException.Reason.INVALID_IMAGE, image + ": manifest lists no layers");
        }
        List<Descriptor> result = new ArrayList<>();
        for (JsonNode layer : layers) {
            result.add(descriptor(layer, image));
        }
        return result;
    }

    private RegistryClient.Manifest fetch(String reference, String expectedDigest) throws IOException {
        RegistryClient.Manifest manifest = client.manifest(reference);
        if (manifest.body().length > MAX_MANIFEST_BYTES) {
            throw new DiskException(DiskException.Reason.INVALID_IMAGE, client.describe() + ": manifest of "
                    + manifest.body().length + " bytes is larger than the 4 MiB allowed");
        }
        if (expectedDigest != null) {
            String actual = sha256(manifest.body());
            if (!actual.equals(expectedDigest)) {
                throw new DiskException(DiskException.Reason.INVALID_IMAGE, client.describe() + ": manifest "
                        + expectedDigest + " arrived with digest " + actual + " (tampered or corrupt)");
            }
        }
        return manifest;
    }

    private Descriptor choose(JsonNode manifests, ImageReference image) throws DiskException {
        List<String> offered = new ArrayList<>();
        for (JsonNode entry : manifests) {
            JsonNode platform = entry.path("platform");
            String os = platform.path("os").asText("");
            String arch = platform.path("architecture").asText("");
            offered.add(os + "/" + arch);
            if (os.equals("linux") && arch.equals(architecture)) {
                return descriptor(entry, image);
            }
        }
        throw new DiskException(DiskException.Reason.SOURCE_NOT_FOUND, image + " has no linux/" + architecture
                + " image (the manifest list offers " + String.join(", ", offered) + "); choose one with --platform");
    }

    private static Descriptor descriptor(JsonNode node, ImageReference image) throws DiskException {
        String digest = node.path("digest").asText("");
        long size = node.path("size").asLong(-1);
        if (!digest.matches("sha256:[a-f0-9]{64}") || size < 0) {
            throw new DiskException(DiskException.Reason.INVALID_IMAGE, image + ": manifest entry without a valid"
                    + " sha256 digest and size: " + node);
        }
        return new Descriptor(node.path("mediaType").asText(""), digest, size);
    }

    private JsonNode parse(RegistryClient.Manifest manifest) throws DiskException {
        try {
            return JSON.readTree(manifest.body());
        } catch (IOException e) {
            throw new DiskException(DiskException.Reason.INVALID_IMAGE, client.describe() + ": manifest is not JSON: "
                    + e.getMessage());
        }
    }

    static String sha256(byte[] bytes) {
        try {
            return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
