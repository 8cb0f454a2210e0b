package dev.ferry.vmruntime.launcher;

import dev.ferry.api.kubevirt.v1.VirtualMachineInstance;
import dev.ferry.api.kubevirt.v1.VmiSpec;
import dev.ferry.disk.convert.ImportOptions;
import dev.ferry.disk.progress.TransferProgress;
import dev.ferry.importer.Importer;
import dev.ferry.importer.source.SourceOptions;
import dev.ferry.vmruntime.CloudInitIso;
import io.fabric8.kubernetes.api.model.Quantity;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;

/**
 * The disks a launcher makes itself, gone with it as in KubeVirt: cloud-init NoCloud seeds, an
 * emptyDisk as a sparse raw file of its capacity, and a containerDisk pulled from its registry
 * through the importer (the disk under /disk in the image, any format, converted to raw) — writes
 * to it are lost at the end.
 */
public final class EphemeralDisks {
    private static final Logger LOG = Logger.getLogger(EphemeralDisks.class.getName());

    private EphemeralDisks() {
    }

    /** Makes every such disk of {@code vmi} under {@code dir}; returns volume → file. */
    public static Map<String, Path> prepare(VirtualMachineInstance vmi, Path dir, List<String> insecureRegistries)
            throws IOException {
        Map<String, Path> disks = new HashMap<>();
        disks.putAll(cloudInit(vmi, Files.createDirectories(dir.resolve("cloud-init"))));
        Path ephemeral = Files.createDirectories(dir.resolve("ephemeral"));
        for (VmiSpec.Volume volume : volumes(vmi)) {
            Path disk = ephemeral.resolve(volume.name + ".img");
            if (volume.emptyDisk != null) {
                emptyDisk(volume, disk);
                disks.put(volume.name, disk);
            } else if (volume.containerDisk != null) {
                containerDisk(volume, disk, insecureRegistries);
                disks.put(volume.name, disk);
            }
        }
        return disks;
    }

    /** A NoCloud seed ISO per cloudInitNoCloud volume: instance-id name.namespace, local-hostname name, as KubeVirt. */
    static Map<String, Path> cloudInit(VirtualMachineInstance vmi, Path dir) throws IOException {
        Map<String, Path> seeds = new HashMap<>();
        for (VmiSpec.Volume volume : volumes(vmi)) {
            var source = volume.cloudInitNoCloud;
            if (source == null) {
                continue;
            }
            if (source.secretRef != null || source.networkDataSecretRef != null) {
                throw new IllegalArgumentException("volume " + volume.name + ": cloudInitNoCloud secretRef is not supported"
                        + " yet; give userData or userDataBase64");
            }
            String user = source.userData != null ? source.userData : decode(volume.name, "userDataBase64", source.userDataBase64);
            String network = source.networkData != null ? source.networkData
                    : decode(volume.name, "networkDataBase64", source.networkDataBase64);
            Path iso = dir.resolve(volume.name + ".iso");
            String name = vmi.getMetadata().getName();
            CloudInitIso.write(iso, "cidata", CloudInitIso.seed(name + "." + vmi.getMetadata().getNamespace(), name, user, network));
            seeds.put(volume.name, iso);
        }
        return seeds;
    }

    private static void emptyDisk(VmiSpec.Volume volume, Path disk) throws IOException {
        if (volume.emptyDisk.capacity == null) {
            throw new IllegalArgumentException("volume " + volume.name + ": emptyDisk needs a capacity");
        }
        try (RandomAccessFile file = new RandomAccessFile(disk.toFile(), "rw")) {
            file.setLength(Quantity.getAmountInBytes(volume.emptyDisk.capacity).longValue());
        }
    }

    /** Registries listed in {@code insecureRegistries} (host or host:port) are reached over plain HTTP. */
    private static void containerDisk(VmiSpec.Volume volume, Path disk, List<String> insecureRegistries) throws IOException {
        String image = volume.containerDisk.image;
        if (image == null || image.isBlank()) {
            throw new IllegalArgumentException("volume " + volume.name + ": containerDisk needs an image");
        }
        String reference = image.startsWith("docker://") ? image : "docker://" + image;
        String host = reference.substring("docker://".length()).split("/", 2)[0];
        boolean plain = insecureRegistries.contains(host) || insecureRegistries.contains(host.replaceFirst(":\\d+$", ""));
        SourceOptions options = new SourceOptions(null, plain, List.of(), null, SourceOptions.DEFAULT_RETRIES,
                SourceOptions.DEFAULT_STALL_TIMEOUT, null, null);
        long started = System.nanoTime();
        var result = Importer.run(reference, options, disk, ImportOptions.defaults(), new TransferProgress());
        LOG.info(() -> "containerDisk " + image + " → " + disk + " (" + result.format() + ", "
                + (System.nanoTime() - started) / 1_000_000 + " ms)");
    }

    private static List<VmiSpec.Volume> volumes(VirtualMachineInstance vmi) {
        return vmi.getSpec().volumes == null ? List.of() : vmi.getSpec().volumes;
    }

    private static String decode(String volume, String field, String base64) {
        if (base64 == null) {
            return null;
        }
        try {
            return new String(Base64.getMimeDecoder().decode(base64), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("volume " + volume + ": " + field + " is not base64: " + e.getMessage());
        }
    }
}
