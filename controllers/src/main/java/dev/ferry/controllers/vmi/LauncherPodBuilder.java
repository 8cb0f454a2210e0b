package dev.ferry.controllers.vmi;

import dev.ferry.api.kubevirt.v1.VirtualMachineInstance;
import dev.ferry.api.kubevirt.v1.VmiSpec;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeDevice;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import dev.ferry.worker.WorkerKind;
import dev.ferry.worker.env.LauncherEnv;
import dev.ferry.worker.env.Reporting;
import dev.ferry.worker.launcher.BackupHooks;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The launcher Pod of a VMI (KubeVirt's virt-launcher Pod): one {@code compute} container running
 * {@code ferry worker launcher} with the VMI in its environment ({@link LauncherEnv}), each claim mounted at
 * KubeVirt's path ({@code /var/run/kubevirt-private/vmi-disks/<volume>}, holding disk.img) or,
 * for a block claim, as {@code /dev/<volume>}, and the serial log on an emptyDir.
 */
public final class LauncherPodBuilder {
    public static final String LABEL_KUBEVIRT = "kubevirt.io";
    public static final String LAUNCHER = "virt-launcher";
    /** The launcher container, as KubeVirt names it (Velero's hooks run in it). */
    public static final String COMPUTE = "compute";
    public static final String LABEL_CREATED_BY = "kubevirt.io/created-by";
    public static final String LABEL_VMI_NAME = "vm.kubevirt.io/name";
    public static final String LABEL_MIGRATION = "kubevirt.io/migrationJobUID";
    public static final String DISKS = "/var/run/kubevirt-private/vmi-disks/";
    public static final String CONSOLE_DIR = "/var/run/kubevirt-private/console";
    /** Where a launcher keeps the KVM probe's answer for this boot of the node, and its libvirtd's sockets. */
    static final String ACCELERATOR_CACHE = "/run/ferry/accelerator";
    static final String LIBVIRT_RUN_DIR = "/run/ferry";
    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();

    private LauncherPodBuilder() {
    }

    /**
     * A launcher Pod no VMI owns: Velero restores Pods with their ownerReferences stripped (without
     * kubevirt-velero-plugin, which skips them). It is never run — it would boot the guest from the
     * restored claims beside the VMI's own launcher — and the VMI controller deletes it.
     */
    public static boolean stray(Pod pod) {
        Map<String, String> labels = pod.getMetadata().getLabels();
        return labels != null && LAUNCHER.equals(labels.get(LABEL_KUBEVIRT)) && (pod.getMetadata().getOwnerReferences() == null
                || pod.getMetadata().getOwnerReferences().stream().noneMatch(o -> "VirtualMachineInstance".equals(o.getKind())));
    }

    /** {@code claims}: volume name → its claim, for every persistentVolumeClaim and dataVolume volume. */
    public static Pod build(VirtualMachineInstance vmi, Map<String, PersistentVolumeClaim> claims, VmSettings settings,
            String suffix) {
        return build(vmi, claims, settings, suffix, null);
    }

    /** A migration target's launcher: it waits for the guest to arrive instead of starting it. */
    public static Pod buildTarget(VirtualMachineInstance vmi, Map<String, PersistentVolumeClaim> claims, VmSettings settings,
            String suffix, String migrationUid) {
        return build(vmi, claims, settings, suffix, migrationUid);
    }

    private static Pod build(VirtualMachineInstance vmi, Map<String, PersistentVolumeClaim> claims, VmSettings settings,
            String suffix, String migrationUid) {
        List<Volume> volumes = new ArrayList<>();
        List<VolumeMount> mounts = new ArrayList<>();
        List<VolumeDevice> devices = new ArrayList<>();
        Map<String, Path> paths = new LinkedHashMap<>();
        for (Map.Entry<String, PersistentVolumeClaim> e : claims.entrySet()) {
            String volume = e.getKey();
            PersistentVolumeClaim claim = e.getValue();
            volumes.add(new VolumeBuilder().withName(volume).withNewPersistentVolumeClaim()
                    .withClaimName(claim.getMetadata().getName()).endPersistentVolumeClaim().build());
            String path;
            if ("Block".equals(claim.getSpec().getVolumeMode())) {
                path = "/dev/" + volume;
                devices.add(new VolumeDevice(path, volume));
            } else {
                path = DISKS + volume;
                mounts.add(new VolumeMountBuilder().withName(volume).withMountPath(path).build());
            }
            paths.put(volume, Path.of(path));
        }
        LauncherEnv launcher = new LauncherEnv(json(launcherCopy(vmi)), null, paths, Path.of(CONSOLE_DIR, "console.log"),
                settings.accelerator(), Path.of(ACCELERATOR_CACHE), null, Path.of(LIBVIRT_RUN_DIR), migrationUid != null,
                settings.insecureRegistries(), Reporting.of(settings.controlPort(), ""));
        List<EnvVar> env = launcher.toEnv().entrySet().stream().map(e -> new EnvVar(e.getKey(), e.getValue(), null)).toList();
        volumes.add(new VolumeBuilder().withName("console").withNewEmptyDir().endEmptyDir().build());
        mounts.add(new VolumeMountBuilder().withName("console").withMountPath(CONSOLE_DIR).build());
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put(LABEL_KUBEVIRT, LAUNCHER);
        labels.put(LABEL_CREATED_BY, vmi.getMetadata().getUid());
        labels.put(LABEL_VMI_NAME, vmi.getMetadata().getName());
        if (migrationUid != null) {
            labels.put(LABEL_MIGRATION, migrationUid);
        }
        long grace = vmi.getSpec().terminationGracePeriodSeconds == null ? 30 : vmi.getSpec().terminationGracePeriodSeconds;
        return new PodBuilder()
                .withMetadata(new ObjectMetaBuilder().withName("virt-launcher-" + vmi.getMetadata().getName() + "-" + suffix)
                        .withNamespace(vmi.getMetadata().getNamespace()).withLabels(labels)
                        .withAnnotations(BackupHooks.skipped(vmi.getMetadata().getAnnotations()) ? null
                                : BackupHooks.annotations(COMPUTE, vmi.getMetadata().getNamespace(), vmi.getMetadata().getName()))
                        .withOwnerReferences(new OwnerReferenceBuilder().withApiVersion("kubevirt.io/v1")
                                .withKind("VirtualMachineInstance").withName(vmi.getMetadata().getName())
                                .withUid(vmi.getMetadata().getUid()).withController(true).withBlockOwnerDeletion(true).build())
                        .build())
                .withNewSpec()
                .withRestartPolicy("Never")
                // the launcher's own grace (ACPI shutdown, then destroy) fits inside the Pod's
                .withTerminationGracePeriodSeconds(grace + 15)
                .withNodeSelector(vmi.getSpec().nodeSelector)
                .addNewContainer().withName(COMPUTE).withImage(settings.launcherImage()).withArgs(WorkerKind.LAUNCHER.args())
                .withImagePullPolicy(settings.pullPolicy()).withEnv(env).withVolumeMounts(mounts).withVolumeDevices(devices)
                .addNewPort().withName("control").withContainerPort(settings.controlPort()).endPort()
                // the launcher's own libvirtd enters a private mount namespace, and QEMU wants /dev/kvm
                .withNewSecurityContext().withPrivileged(true).endSecurityContext()
                .endContainer()
                .withVolumes(volumes)
                .endSpec().build();
    }

    private static String json(VirtualMachineInstance vmi) {
        try {
            return JSON.writeValueAsString(vmi);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("cannot write the VMI as JSON", e);
        }
    }

    /** The VMI as the launcher needs it: metadata it names the domain after, and the spec. */
    private static VirtualMachineInstance launcherCopy(VirtualMachineInstance vmi) {
        VirtualMachineInstance copy = new VirtualMachineInstance();
        copy.setMetadata(new ObjectMetaBuilder().withName(vmi.getMetadata().getName())
                .withNamespace(vmi.getMetadata().getNamespace()).withUid(vmi.getMetadata().getUid()).build());
        copy.setSpec(vmi.getSpec());
        return copy;
    }

    /** The claim behind a VMI volume, or null for volumes without one (containerDisk, cloudInitNoCloud, emptyDisk). */
    public static String claimName(VmiSpec.Volume volume) {
        if (volume.persistentVolumeClaim != null) {
            return volume.persistentVolumeClaim.claimName;
        }
        return volume.dataVolume != null ? volume.dataVolume.name : null;
    }
}
