package dev.ferry.cli.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.api.cdi.v1beta1.DataVolume;
import dev.ferry.api.export.v1beta1.VirtualMachineExport;
import dev.ferry.api.kubevirt.v1.VirtualMachine;
import dev.ferry.cli.FerryTestAccess;
import dev.ferry.disk.testing.Tools;
import dev.ferry.importer.testing.FaultyHttpServer;
import dev.ferry.local.app.LocalMode;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * VirtualMachineExport on local mode, downloaded with curl as a backup product would: a claim and
 * a stopped VM's volume exported, Ready with KubeVirt's status (token Secret, Service, internal and
 * external links, the CA), raw and gzip downloads bit-identical to the volume, a wrong token
 * refused with 401, the auth-header manifest; deleting an export, or its TTL ending, removes it and
 * everything it made.
 */
class LocalExportTest {
    @TempDir
    Path dir;
    private LocalMode local;
    private KubernetesClient client;
    private FaultyHttpServer images;

    @BeforeEach
    void setUp() throws Exception {
        Tools.require("curl");
        Path served = Files.createDirectories(dir.resolve("images"));
        Random random = new Random(11);
        try (RandomAccessFile file = new RandomAccessFile(served.resolve("disk.raw").toFile(), "rw")) {
            file.setLength(48L << 20);
            for (long at : new long[] {0, 5L << 20, (20L << 20) - 4096, (48L << 20) - 65536}) {
                byte[] data = new byte[65536];
                random.nextBytes(data);
                file.seek(at);
                file.write(data);
            }
        }
        Path src = Files.createDirectories(dir.resolve("images-src/conf"));
        Files.writeString(src.resolve("app.conf"), "port = 8080\n");
        byte[] data = new byte[2 << 20];
        random.nextBytes(data);
        Files.write(dir.resolve("images-src/data.bin"), data);
        Tools.run("tar", "-cf", served.resolve("files.tar").toString(), "-C", dir.resolve("images-src").toString(), "conf", "data.bin");
        images = FaultyHttpServer.http(served);
        local = new LocalMode(dir.resolve("root"), 0, 0);
        client = local.client();
    }

    @AfterEach
    void tearDown() throws Exception {
        if (local != null) {
            local.close();
        }
        if (images != null) {
            images.close();
        }
    }

    @Test
    void aClaimAndAStoppedVmAreExportedRawAndGzipToWhoeverHoldsTheToken() throws Exception {
        importDisk();
        Path volume = disk("disk");

        client.resource(export("of-claim", "\"\"", "PersistentVolumeClaim", "disk", null)).create();
        VirtualMachineExport ready = awaitReady("of-claim");
        assertThat(ready.getStatus().tokenSecretRef).isEqualTo("export-token-of-claim");
        assertThat(ready.getStatus().serviceName).isEqualTo("virt-export-of-claim");
        assertThat(ready.getStatus().ttlExpirationTime).isNotNull();
        assertThat(ready.getStatus().links.internal.volumes).singleElement().satisfies(v -> {
            assertThat(v.name).isEqualTo("disk");
            assertThat(v.formats).extracting(f -> f.format + " " + f.url).containsExactly(
                    "raw https://virt-export-of-claim.default.svc/volumes/disk/disk.img",
                    "gzip https://virt-export-of-claim.default.svc/volumes/disk/disk.img.gz");
        });
        assertThat(client.services().inNamespace("default").withName("virt-export-of-claim").get()).isNotNull();
        String token = token(ready);
        Path ca = Files.writeString(dir.resolve("ca.pem"), ready.getStatus().links.external.cert);

        String raw = ready.getStatus().links.external.volumes.get(0).formats.get(0).url;
        Path downloaded = dir.resolve("disk.img");
        assertThat(curl(ca, "-H", "x-kubevirt-export-token: " + token, "-o", downloaded.toString(), raw)).endsWith("200");
        assertThat(Files.mismatch(downloaded, volume)).as("raw, bit for bit").isEqualTo(-1);
        Path gz = dir.resolve("disk.img.gz");
        assertThat(curl(ca, "-o", gz.toString(), ready.getStatus().links.external.volumes.get(0).formats.get(1).url
                + "?x-kubevirt-export-token=" + token)).endsWith("200");
        Path gunzipped = dir.resolve("gunzipped.img");
        Tools.run("sh", "-c", "gunzip -c '" + gz + "' > '" + gunzipped + "'");
        assertThat(Files.mismatch(gunzipped, volume)).as("gzip, bit for bit").isEqualTo(-1);
        assertThat(curl(ca, "-H", "x-kubevirt-export-token: wrong", "-o", "/dev/null", raw)).endsWith("401");
        Path secret = dir.resolve("secret.yaml");
        assertThat(curl(ca, "-H", "x-kubevirt-export-token: " + token, "-o", secret.toString(),
                ready.getStatus().links.external.manifests.get(1).url)).endsWith("200");
        assertThat(Files.readString(secret)).contains("name: \"header-secret-of-claim\"").contains("x-kubevirt-export-token:" + token);

        // a stopped VM on the same claim; deleting the first export removes what it made
        client.resources(VirtualMachineExport.class).inNamespace("default").withName("of-claim").delete();
        await("the first export and its server are gone").atMost(Duration.ofSeconds(30)).until(() ->
                client.resources(VirtualMachineExport.class).inNamespace("default").withName("of-claim").get() == null
                        && client.pods().inNamespace("default").withName("virt-export-of-claim").get() == null
                        && client.services().inNamespace("default").withName("virt-export-of-claim").get() == null
                        && client.secrets().inNamespace("default").withName("export-token-of-claim").get() == null);
        client.resource(Serialization.unmarshal("""
                apiVersion: kubevirt.io/v1
                kind: VirtualMachine
                metadata: {name: stopped, namespace: default}
                spec:
                  runStrategy: Halted
                  template:
                    spec:
                      domain:
                        devices: {disks: [{name: root, disk: {bus: virtio}}]}
                      volumes: [{name: root, persistentVolumeClaim: {claimName: disk}}]
                """, VirtualMachine.class)).create();
        client.resource(export("of-vm", "kubevirt.io", "VirtualMachine", "stopped", null)).create();
        VirtualMachineExport vm = awaitReady("of-vm");
        assertThat(vm.getStatus().virtualMachineName).isEqualTo("stopped");
        Path ca2 = Files.writeString(dir.resolve("ca2.pem"), vm.getStatus().links.external.cert);
        Path again = dir.resolve("again.img");
        assertThat(curl(ca2, "-H", "x-kubevirt-export-token: " + token(vm), "-o", again.toString(),
                vm.getStatus().links.external.volumes.get(0).formats.get(0).url)).endsWith("200");
        assertThat(Files.mismatch(again, volume)).isEqualTo(-1);
        Path all = dir.resolve("all.yaml");
        curl(ca2, "-H", "x-kubevirt-export-token: " + token(vm), "-o", all.toString(), vm.getStatus().links.external.manifests.get(0).url);
        assertThat(Files.readString(all)).contains("kind: \"VirtualMachine\"").contains("name: \"export-ca-cm-of-vm\"");
        // a snapshot of the stopped VM: its volume is restored into a claim of the export's
        client.resource(Serialization.unmarshal("""
                apiVersion: snapshot.kubevirt.io/v1beta1
                kind: VirtualMachineSnapshot
                metadata: {name: snap, namespace: default}
                spec:
                  source: {apiGroup: kubevirt.io, kind: VirtualMachine, name: stopped}
                """, dev.ferry.api.snapshot.v1beta1.VirtualMachineSnapshot.class)).create();
        await("snapshotted").atMost(Duration.ofSeconds(60)).until(() -> {
            var snapshot = client.resources(dev.ferry.api.snapshot.v1beta1.VirtualMachineSnapshot.class).inNamespace("default")
                    .withName("snap").get();
            return snapshot.getStatus() != null && Boolean.TRUE.equals(snapshot.getStatus().readyToUse);
        });
        client.resource(export("of-snapshot", "snapshot.kubevirt.io", "VirtualMachineSnapshot", "snap", null)).create();
        VirtualMachineExport fromSnapshot = awaitReady("of-snapshot");
        assertThat(fromSnapshot.getStatus().links.external.volumes).extracting(v -> v.name).containsExactly("of-snapshot-disk");
        assertThat(fromSnapshot.getStatus().conditions).extracting(c -> c.type + "=" + c.status).contains("VolumesCreated=True");
        Path ca3 = Files.writeString(dir.resolve("ca3.pem"), fromSnapshot.getStatus().links.external.cert);
        Path snapshotGz = dir.resolve("snapshot.img.gz");
        assertThat(curl(ca3, "-H", "x-kubevirt-export-token: " + token(fromSnapshot), "-o", snapshotGz.toString(),
                fromSnapshot.getStatus().links.external.volumes.get(0).formats.get(1).url)).endsWith("200");
        Path snapshotDisk = dir.resolve("snapshot.img");
        Tools.run("sh", "-c", "gunzip -c '" + snapshotGz + "' > '" + snapshotDisk + "'");
        assertThat(Files.mismatch(snapshotDisk, volume)).as("the snapshot's volume, bit for bit").isEqualTo(-1);
        client.resources(VirtualMachineExport.class).inNamespace("default").withName("of-snapshot").delete();
        await("the restored claim goes with the export").atMost(Duration.ofSeconds(30)).until(() ->
                client.persistentVolumeClaims().inNamespace("default").withName("of-snapshot-disk").get() == null);

        // an export whose TTL ends: deleted, and its server with it
        client.resource(export("brief", "kubevirt.io", "VirtualMachine", "stopped", "3s")).create();
        await("the TTL ends the export").atMost(Duration.ofSeconds(30)).until(() ->
                client.resources(VirtualMachineExport.class).inNamespace("default").withName("brief").get() == null
                        && client.pods().inNamespace("default").withName("virt-export-brief").get() == null
                        && client.secrets().inNamespace("default").withName("export-token-brief").get() == null);
        assertThat(Files.mismatch(disk("disk"), volume)).as("the claim itself is untouched").isEqualTo(-1);
    }

    @Test
    void ferryVmexportDownloadsAsVirtctlDoesAndResumesABrokenRawDownload() throws Exception {
        importDisk();
        Path volume = disk("disk");

        // made, downloaded raw (sparse) and deleted by one command
        Path raw = dir.resolve("raw.img");
        FerryTestAccess.Result once = FerryTestAccess.capture(local.kubeconfig(), "vmexport", "download", "once", "--pvc", "disk",
                "--format", "raw", "--output", raw.toString(), "--no-progress", "-n", "default");
        assertThat(once.exit()).as(once.out() + once.err()).isZero();
        assertThat(once.out()).contains("Download finished succesfully");
        assertThat(Files.mismatch(raw, volume)).isEqualTo(-1);
        assertThat(Tools.allocated(raw)).as("holes stay holes").isLessThan(Files.size(raw) / 2);
        await("the export it made is gone").atMost(Duration.ofSeconds(20)).until(() ->
                client.resources(VirtualMachineExport.class).inNamespace("default").withName("once").get() == null
                        && client.secrets().inNamespace("default").withName("secret-once").get() == null);

        // created, then downloaded through a connection cut at 8 MiB: the raw download resumes where it broke
        FerryTestAccess.Result created = FerryTestAccess.capture(local.kubeconfig(), "vmexport", "create", "kept", "--pvc", "disk",
                "-n", "default");
        assertThat(created.exit()).as(created.err()).isZero();
        VirtualMachineExport kept = awaitReady("kept");
        assertThat(kept.getStatus().tokenSecretRef).isEqualTo("secret-kept");
        int port = java.net.URI.create(kept.getStatus().links.external.volumes.get(0).formats.get(0).url).getPort();
        Path resumed = dir.resolve("resumed.img");
        try (var relay = dev.ferry.uploader.testing.CuttingRelay.downstream(port, 8L << 20)) {
            FerryTestAccess.Result cut = FerryTestAccess.capture(local.kubeconfig(), "vmexport", "download", "kept", "--format", "raw",
                    "--service-url", "https://127.0.0.1:" + relay.port(), "--retry", "3", "--output", resumed.toString(), "--no-progress",
                    "-n", "default");
            assertThat(cut.exit()).as(cut.out() + cut.err()).isZero();
            assertThat(relay.hasCut()).isTrue();
            assertThat(cut.err()).contains("resuming");
        }
        assertThat(Files.mismatch(resumed, volume)).as("resumed, bit for bit").isEqualTo(-1);
        Path gz = dir.resolve("kept.img.gz");
        FerryTestAccess.Result gzip = FerryTestAccess.capture(local.kubeconfig(), "vmexport", "download", "kept", "--output", gz.toString(),
                "--no-progress", "-n", "default");
        assertThat(gzip.exit()).as(gzip.err()).isZero();
        Path gunzipped = dir.resolve("kept.img");
        Tools.run("sh", "-c", "gunzip -c '" + gz + "' > '" + gunzipped + "'");
        assertThat(Files.mismatch(gunzipped, volume)).isEqualTo(-1);
        FerryTestAccess.Result manifest = FerryTestAccess.capture(local.kubeconfig(), "vmexport", "download", "kept", "--manifest",
                "--include-secret", "-n", "default");
        assertThat(manifest.exit()).as(manifest.err()).isZero();
        assertThat(manifest.out()).contains("kind: \"DataVolume\"").contains("certConfigMap: \"export-ca-cm-kept\"")
                .contains("x-kubevirt-export-token:");
        FerryTestAccess.Result none = FerryTestAccess.capture(local.kubeconfig(), "vmexport", "download", "kept", "--volume", "other",
                "--output", dir.resolve("x").toString(), "-n", "default");
        assertThat(none.exit()).isNotZero();
        assertThat(none.err()).contains("the export has no volume other");
        assertThat(FerryTestAccess.capture(local.kubeconfig(), "vmexport", "delete", "kept", "-n", "default").exit()).isZero();

        // an archive (a filesystem's files): served as dir/ and disk.tar.gz, which --format gzip takes
        client.resource(Serialization.unmarshal("""
                apiVersion: cdi.kubevirt.io/v1beta1
                kind: DataVolume
                metadata: {name: files, namespace: default}
                spec:
                  contentType: archive
                  source: {http: {url: "%s"}}
                  storage: {resources: {requests: {storage: 64Mi}}}
                """.formatted(images.url("files.tar")), DataVolume.class)).create();
        await("extracted").atMost(Duration.ofSeconds(60)).until(() -> {
            DataVolume dv = client.resources(DataVolume.class).inNamespace("default").withName("files").get();
            return dv.getStatus() != null && "Succeeded".equals(dv.getStatus().phase);
        });
        Path tarGz = dir.resolve("files.tar.gz");
        FerryTestAccess.Result archive = FerryTestAccess.capture(local.kubeconfig(), "vmexport", "download", "files-export", "--pvc",
                "files", "--output", tarGz.toString(), "--no-progress", "-n", "default");
        assertThat(archive.exit()).as(archive.out() + archive.err()).isZero();
        Path untarred = Files.createDirectories(dir.resolve("untarred"));
        Tools.run("tar", "-xzf", tarGz.toString(), "-C", untarred.toString());
        assertThat(Files.readString(untarred.resolve("conf/app.conf"))).isEqualTo("port = 8080\n");
        assertThat(Files.mismatch(untarred.resolve("data.bin"), dir.resolve("images-src/data.bin"))).isEqualTo(-1);
        FerryTestAccess.Result rawArchive = FerryTestAccess.capture(local.kubeconfig(), "vmexport", "download", "files-export2", "--pvc",
                "files", "--format", "raw", "--output", dir.resolve("y").toString(), "--no-progress", "-n", "default");
        assertThat(rawArchive.exit()).isNotZero();
        assertThat(rawArchive.err()).contains("is not served as raw (it is served as [dir, tar.gz])");
        await("deleted").atMost(Duration.ofSeconds(20)).until(() ->
                client.resources(VirtualMachineExport.class).inNamespace("default").withName("kept").get() == null);
    }

    private void importDisk() {
        client.resource(Serialization.unmarshal("""
                apiVersion: cdi.kubevirt.io/v1beta1
                kind: DataVolume
                metadata: {name: disk, namespace: default}
                spec:
                  source: {http: {url: "%s"}}
                  storage: {resources: {requests: {storage: 64Mi}}}
                """.formatted(images.url("disk.raw")), DataVolume.class)).create();
        await("imported").atMost(Duration.ofSeconds(60)).until(() -> {
            DataVolume dv = client.resources(DataVolume.class).inNamespace("default").withName("disk").get();
            return dv.getStatus() != null && "Succeeded".equals(dv.getStatus().phase);
        });
    }

    private static VirtualMachineExport export(String name, String group, String kind, String source, String ttl) {
        return Serialization.unmarshal("""
                apiVersion: export.kubevirt.io/v1beta1
                kind: VirtualMachineExport
                metadata: {name: %s, namespace: default}
                spec:
                  source: {apiGroup: %s, kind: %s, name: %s}
                %s""".formatted(name, group, kind, source, ttl == null ? "" : "  ttlDuration: " + ttl + "\n"), VirtualMachineExport.class);
    }

    private VirtualMachineExport awaitReady(String name) {
        try {
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() -> {
                VirtualMachineExport e = client.resources(VirtualMachineExport.class).inNamespace("default").withName(name).get();
                return e != null && e.getStatus() != null && "Ready".equals(e.getStatus().phase);
            });
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError("export " + name + " is not Ready: "
                    + Serialization.asYaml(client.resources(VirtualMachineExport.class).inNamespace("default").withName(name).get())
                    + Serialization.asYaml(client.pods().inNamespace("default").list().getItems()), e);
        }
        return client.resources(VirtualMachineExport.class).inNamespace("default").withName(name).get();
    }

    private String token(VirtualMachineExport export) {
        Secret secret = client.secrets().inNamespace("default").withName(export.getStatus().tokenSecretRef).get();
        return new String(Base64.getDecoder().decode(secret.getData().get("token")), StandardCharsets.UTF_8);
    }

    private static String curl(Path ca, String... args) {
        String[] command = new String[args.length + 6];
        command[0] = "curl";
        command[1] = "-sS";
        command[2] = "--cacert";
        command[3] = ca.toString();
        command[4] = "-w";
        command[5] = "%{http_code}";
        System.arraycopy(args, 0, command, 6, args.length);
        return Tools.exec(command).output();
    }

    /** The disk file of a DataVolume's claim on the local-path volume. */
    private Path disk(String name) {
        String volume = client.persistentVolumeClaims().inNamespace("default").withName(name).get().getSpec().getVolumeName();
        PersistentVolume pv = client.persistentVolumes().withName(volume).get();
        return Path.of(pv.getSpec().getLocal().getPath()).resolve("disk.img");
    }
}
