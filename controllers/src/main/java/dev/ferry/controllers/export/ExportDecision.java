package dev.ferry.controllers.export;

import dev.ferry.api.export.v1beta1.VirtualMachineExport;
import dev.ferry.api.kubevirt.v1.VirtualMachine;
import dev.ferry.api.kubevirt.v1.VmiSpec;
import dev.ferry.api.snapshot.v1beta1.ObjectReference;
import dev.ferry.api.snapshot.v1beta1.SnapshotCondition;
import dev.ferry.api.snapshot.v1beta1.VirtualMachineSnapshotContent;
import dev.ferry.controllers.datavolume.ClaimMarks;
import dev.ferry.controllers.datavolume.PvcBuilder;
import dev.ferry.controllers.datavolume.WorkerPodBuilder;
import dev.ferry.controllers.datavolume.WorkerSettings;
import dev.ferry.controllers.runtime.Conditions;
import dev.ferry.controllers.runtime.GoDuration;
import dev.ferry.worker.WorkerKind;
import dev.ferry.worker.WorkerPods;
import dev.ferry.worker.env.ExportServerEnv;
import dev.ferry.worker.env.Reporting;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeDevice;
import io.fabric8.kubernetes.api.model.VolumeMount;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The VirtualMachineExport reconciler's decision (KubeVirt's export controller), a pure function of
 * the export, its source and what it made: the token Secret (unless the export names one), the
 * claims a snapshot is restored into, the server's certificate, the manifests, the export server
 * Pod on the claims (read-only) and Service {@code virt-export-<name>}; status Pending until the
 * server is ready, then Ready with the links; a running source VM holds it Pending (Ready False,
 * InUse); at {@code ttlDuration} (default 2h) after creation the export is deleted, and what it
 * made with it (its finalizer holds it until then).
 */
public final class ExportDecision {
    public static final String FINALIZER = "export.kubevirt.io/export-finalizer";
    public static final String LABEL_EXPORT = "export.kubevirt.io/export";
    public static final Duration DEFAULT_TTL = Duration.ofHours(2);
    static final String TLS_PATH = "/var/run/ferry/export-tls";
    static final String TOKEN_PATH = "/var/run/ferry/export-token";
    static final String MANIFESTS_PATH = "/var/run/ferry/export-manifests";
    static final int PORT = ExportServerEnv.DEFAULT_PORT;

    private ExportDecision() {
    }

    public static String serviceName(VirtualMachineExport export) {
        return "virt-export-" + export.getMetadata().getName();
    }

    public static String tlsSecret(VirtualMachineExport export) {
        return serviceName(export) + "-tls";
    }

    public static String manifestsSecret(VirtualMachineExport export) {
        return serviceName(export) + "-manifests";
    }

    public static String tokenSecret(VirtualMachineExport export) {
        return export.getSpec().tokenSecretRef != null ? export.getSpec().tokenSecretRef : "export-token-" + export.getMetadata().getName();
    }

    /** The claim a snapshot's volume is restored into for the export. */
    static String restoredClaim(VirtualMachineExport export, String pvc) {
        return export.getMetadata().getName() + "-" + pvc;
    }

    public static ExportPlan decide(ExportObserved o, WorkerSettings settings) {
        VirtualMachineExport export = o.export();
        Instant expires = expiration(export);
        boolean expired = expires != null && !o.now().isBefore(expires);
        if (export.getMetadata().getDeletionTimestamp() != null || expired) {
            List<HasMetadata> made = made(o);
            boolean finalizer = export.getMetadata().getFinalizers().contains(FINALIZER);
            return new ExportPlan(false, List.of(), false, made, expired && export.getMetadata().getDeletionTimestamp() == null,
                    made.isEmpty() && finalizer && export.getMetadata().getDeletionTimestamp() != null, null,
                    made.isEmpty() ? null : Duration.ofSeconds(1));
        }
        boolean addFinalizer = !export.getMetadata().getFinalizers().contains(FINALIZER);
        List<HasMetadata> create = new ArrayList<>();
        VirtualMachineExport.Status status = new VirtualMachineExport.Status();
        status.tokenSecretRef = tokenSecret(export);
        status.ttlExpirationTime = expires == null ? null : expires.toString();
        status.serviceName = serviceName(export);
        Duration requeue = expires == null ? null : Duration.between(o.now(), expires);
        if (o.tokenSecret() == null) {
            if (export.getSpec().tokenSecretRef != null) {
                return pending(addFinalizer, create, status, "TokenSecretMissing", "the token Secret " + status.tokenSecretRef
                        + " does not exist", requeue);
            }
            create.add(tokenSecretFor(export, o.newToken()));
        }
        Sources sources;
        try {
            sources = sources(o);
        } catch (NotReady e) {
            return pending(addFinalizer, create, status, e.reason, e.getMessage(), requeue);
        }
        status.virtualMachineName = sources.vm;
        List<SnapshotCondition> conditions = new ArrayList<>();
        create.addAll(sources.restore);
        if (sources.snapshot) {
            conditions.add(Conditions.of(SnapshotCondition::new, VirtualMachineExport.CONDITION_VOLUMES_CREATED, sources.restore.isEmpty(),
                    sources.restore.isEmpty() ? "AllVolumesCreated" : "NotAllVolumesCreated", null));
        }
        List<String> unbound = sources.claims.stream().filter(c -> o.claims().get(c) == null
                || !"Bound".equals(o.claims().get(c).getStatus() == null ? null : o.claims().get(c).getStatus().getPhase())).toList();
        conditions.add(Conditions.of(SnapshotCondition::new, VirtualMachineExport.CONDITION_PVC_READY, unbound.isEmpty(),
                unbound.isEmpty() ? "Bound" : "Pending", unbound.isEmpty() ? null : "waiting for claims " + unbound));
        if (!unbound.isEmpty() || o.tokenSecret() == null) {
            conditions.add(0, Conditions.of(SnapshotCondition::new, VirtualMachineExport.CONDITION_READY, false, "PodPending",
                    "waiting for the source's volumes"));
            status.phase = VirtualMachineExport.PENDING;
            status.conditions = conditions;
            return new ExportPlan(addFinalizer, create, false, List.of(), false, false, status, soon(requeue));
        }
        boolean issue = o.tlsSecret() == null;
        if (issue) {
            status.phase = VirtualMachineExport.PENDING;
            conditions.add(0, Conditions.of(SnapshotCondition::new, VirtualMachineExport.CONDITION_READY, false, "PodPending",
                    "making the server's certificate"));
            status.conditions = conditions;
            return new ExportPlan(addFinalizer, create, true, List.of(), false, false, status, Duration.ZERO);
        }
        String ca = data(o.tlsSecret(), "ca.crt");
        String token = data(o.tokenSecret(), "token");
        String base = "https://" + serviceName(export) + "." + export.getMetadata().getNamespace() + ".svc";
        List<String> archives = sources.claims.stream().filter(c -> archive(o.claims().get(c))).toList();
        VirtualMachineExport.Link internal = link(ca, base, sources.claims, archives);
        VirtualMachineExport.Link external = null;
        String port = o.pod() == null || o.pod().getMetadata().getAnnotations() == null ? null
                : o.pod().getMetadata().getAnnotations().get(WorkerPods.ANN_SERVICE_PORT);
        if (port != null) {
            // a node whose Pods share loopback (local mode): the server itself is the way in from outside
            external = link(ca, "https://127.0.0.1:" + port, sources.claims, archives);
        }
        if (o.manifests() == null) {
            create.add(ExportManifests.secret(export, manifestsSecret(export), owner(export), o.vm(), sources.claims, o.claims(),
                    internal, base, token));
        }
        if (o.pod() == null) {
            create.add(pod(export, sources.claims, o.claims(), settings));
        }
        if (o.service() == null) {
            create.add(service(export));
        }
        boolean ready = o.pod() != null && o.pod().getStatus() != null && "Running".equals(o.pod().getStatus().getPhase())
                && o.pod().getStatus().getConditions() != null && o.pod().getStatus().getConditions().stream()
                        .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
        conditions.add(0, Conditions.of(SnapshotCondition::new, VirtualMachineExport.CONDITION_READY, ready,
                ready ? "PodReady" : "PodPending", null));
        status.phase = ready ? VirtualMachineExport.READY : VirtualMachineExport.PENDING;
        status.conditions = conditions;
        requeue = ready ? requeue : soon(requeue);
        if (ready) {
            status.links = new VirtualMachineExport.Links();
            status.links.internal = internal;
            status.links.external = external;
        }
        return new ExportPlan(addFinalizer, create, false, List.of(), false, false, status, requeue);
    }

    /** When the export ends: its creation plus {@code ttlDuration} (default 2h); null before it has a creation time. */
    static Instant expiration(VirtualMachineExport export) {
        String created = export.getMetadata().getCreationTimestamp();
        if (created == null) {
            return null;
        }
        Duration ttl = DEFAULT_TTL;
        if (export.getSpec().ttlDuration != null) {
            try {
                ttl = GoDuration.parse(export.getSpec().ttlDuration);
            } catch (IllegalArgumentException e) {
                ttl = DEFAULT_TTL;
            }
        }
        return Instant.parse(created).plus(ttl);
    }

    private static ExportPlan pending(boolean addFinalizer, List<HasMetadata> create, VirtualMachineExport.Status status, String reason,
            String message, Duration requeue) {
        status.phase = VirtualMachineExport.PENDING;
        status.conditions = new ArrayList<>(List.of(Conditions.of(SnapshotCondition::new, VirtualMachineExport.CONDITION_READY, false,
                reason, message)));
        return new ExportPlan(addFinalizer, create, false, List.of(), false, false, status, soon(requeue));
    }

    /** A Pending export looks again soon: what it waits for (a VM stopping, a snapshot, a claim binding) may not wake it. */
    private static Duration soon(Duration expiry) {
        Duration soon = Duration.ofSeconds(2);
        return expiry == null || expiry.compareTo(soon) > 0 ? soon : expiry;
    }

    /** The source's claims (in order), the VM's name, and the claims to restore from a snapshot. */
    private record Sources(List<String> claims, String vm, boolean snapshot, List<PersistentVolumeClaim> restore) {
    }

    private static final class NotReady extends Exception {
        final String reason;

        NotReady(String reason, String message) {
            super(message);
            this.reason = reason;
        }
    }

    private static Sources sources(ExportObserved o) throws NotReady {
        VirtualMachineExport export = o.export();
        ObjectReference source = export.getSpec().source;
        if (source == null || source.kind == null || source.name == null) {
            throw new NotReady("InvalidSource", "spec.source names no PersistentVolumeClaim, VirtualMachine or VirtualMachineSnapshot");
        }
        switch (source.kind) {
            case "PersistentVolumeClaim" -> {
                if (o.claims().get(source.name) == null) {
                    throw new NotReady("PVCNotFound", "PersistentVolumeClaim " + source.name + " does not exist");
                }
                return new Sources(List.of(source.name), null, false, List.of());
            }
            case "VirtualMachine" -> {
                VirtualMachine vm = o.vm();
                if (vm == null) {
                    throw new NotReady("VMNotFound", "VirtualMachine " + source.name + " does not exist");
                }
                if (o.vmRunning()) {
                    throw new NotReady("InUse", "VirtualMachine " + source.name + " is running: stop it to export its volumes");
                }
                List<String> claims = vmClaims(vm);
                if (claims.isEmpty()) {
                    throw new NotReady("NoVolumes", "VirtualMachine " + source.name + " has no claim or DataVolume volumes to export");
                }
                return new Sources(claims, vm.getMetadata().getName(), false, List.of());
            }
            case "VirtualMachineSnapshot" -> {
                if (o.snapshot() == null || o.snapshot().getStatus() == null || !Boolean.TRUE.equals(o.snapshot().getStatus().readyToUse)
                        || o.snapshotContent() == null) {
                    throw new NotReady("SnapshotNotReady", "VirtualMachineSnapshot " + source.name + " is not ready to use");
                }
                List<String> claims = new ArrayList<>();
                List<PersistentVolumeClaim> restore = new ArrayList<>();
                for (VirtualMachineSnapshotContent.VolumeBackup backup : o.snapshotContent().getSpec().volumeBackups) {
                    String claim = restoredClaim(export, backup.persistentVolumeClaim.metadata.getName());
                    claims.add(claim);
                    if (o.claims().get(claim) == null) {
                        restore.add(restored(export, claim, backup));
                    }
                }
                VirtualMachineSnapshotContent.SourceVirtualMachine vm = o.snapshotContent().getSpec().source == null ? null
                        : o.snapshotContent().getSpec().source.virtualMachine;
                return new Sources(claims, vm == null || vm.metadata == null ? null : vm.metadata.getName(), true, restore);
            }
            default -> throw new NotReady("InvalidSource", "a " + source.kind + " cannot be exported; export a PersistentVolumeClaim, "
                    + "a VirtualMachine or a VirtualMachineSnapshot");
        }
    }

    /** The VM's claims: each DataVolume's (the same name) and each persistentVolumeClaim volume's. */
    static List<String> vmClaims(VirtualMachine vm) {
        List<String> claims = new ArrayList<>();
        if (vm.getSpec().template == null || vm.getSpec().template.spec == null || vm.getSpec().template.spec.volumes == null) {
            return claims;
        }
        for (VmiSpec.Volume volume : vm.getSpec().template.spec.volumes) {
            if (volume.dataVolume != null) {
                claims.add(volume.dataVolume.name);
            } else if (volume.persistentVolumeClaim != null) {
                claims.add(volume.persistentVolumeClaim.claimName);
            }
        }
        return claims;
    }

    private static PersistentVolumeClaim restored(VirtualMachineExport export, String claim, VirtualMachineSnapshotContent.VolumeBackup backup) {
        var spec = backup.persistentVolumeClaim.spec;
        return new PersistentVolumeClaimBuilder()
                .withMetadata(new ObjectMetaBuilder().withName(claim).withNamespace(export.getMetadata().getNamespace())
                        .withLabels(Map.of(LABEL_EXPORT, export.getMetadata().getName(), ClaimMarks.LABEL_EXCLUDE_FROM_BACKUP, "true"))
                        .withOwnerReferences(owner(export)).build())
                .withNewSpec().withAccessModes(spec.getAccessModes()).withResources(spec.getResources())
                .withStorageClassName(spec.getStorageClassName()).withVolumeMode(spec.getVolumeMode())
                .withNewDataSource().withApiGroup("snapshot.storage.k8s.io").withKind("VolumeSnapshot")
                .withName(backup.volumeSnapshotName).endDataSource().endSpec().build();
    }

    private static Secret tokenSecretFor(VirtualMachineExport export, String token) {
        return new SecretBuilder().withMetadata(new ObjectMetaBuilder().withName(tokenSecret(export))
                        .withNamespace(export.getMetadata().getNamespace()).withLabels(Map.of(LABEL_EXPORT, export.getMetadata().getName()))
                        .withOwnerReferences(owner(export)).build())
                .withType("Opaque").withData(Map.of("token", Base64.getEncoder().encodeToString(token.getBytes(StandardCharsets.UTF_8))))
                .build();
    }

    static String data(Secret secret, String key) {
        String value = secret.getData() == null ? null : secret.getData().get(key);
        if (value == null && secret.getStringData() != null) {
            return secret.getStringData().get(key);
        }
        return value == null ? null : new String(Base64.getDecoder().decode(value), StandardCharsets.UTF_8).strip();
    }

    /** A claim of archive content (CDI's contentType archive: a filesystem's files, not a disk image). */
    static boolean archive(PersistentVolumeClaim pvc) {
        return pvc != null && pvc.getMetadata().getAnnotations() != null
                && "archive".equals(pvc.getMetadata().getAnnotations().get(PvcBuilder.ANN_CONTENT_TYPE));
    }

    private static VirtualMachineExport.Link link(String ca, String base, List<String> claims, List<String> archives) {
        VirtualMachineExport.Link link = new VirtualMachineExport.Link();
        link.cert = ca;
        for (String claim : claims) {
            VirtualMachineExport.Volume volume = new VirtualMachineExport.Volume();
            volume.name = claim;
            String at = base + "/volumes/" + claim;
            if (archives.contains(claim)) {
                volume.formats.add(new VirtualMachineExport.Format(VirtualMachineExport.DIR, at + "/dir"));
                volume.formats.add(new VirtualMachineExport.Format(VirtualMachineExport.TAR_GZ, at + "/disk.tar.gz"));
            } else {
                volume.formats.add(new VirtualMachineExport.Format(VirtualMachineExport.RAW, at + "/disk.img"));
                volume.formats.add(new VirtualMachineExport.Format(VirtualMachineExport.GZIP, at + "/disk.img.gz"));
            }
            link.volumes.add(volume);
        }
        String audience = base.contains(".svc") ? "internal" : "external";
        link.manifests.add(new VirtualMachineExport.Manifest("all", base + "/" + audience + "/manifests/all"));
        link.manifests.add(new VirtualMachineExport.Manifest("auth-header-secret", base + "/" + audience + "/manifests/secret"));
        return link;
    }

    public static OwnerReference owner(VirtualMachineExport export) {
        return new OwnerReferenceBuilder().withApiVersion(VirtualMachineExport.GROUP + "/" + VirtualMachineExport.VERSION)
                .withKind("VirtualMachineExport").withName(export.getMetadata().getName()).withUid(export.getMetadata().getUid())
                .withController(true).withBlockOwnerDeletion(true).build();
    }

    private static Map<String, String> labels(VirtualMachineExport export) {
        return new LinkedHashMap<>(Map.of("kubevirt.io", "virt-exporter", LABEL_EXPORT, export.getMetadata().getName()));
    }

    private static Pod pod(VirtualMachineExport export, List<String> claims, Map<String, PersistentVolumeClaim> observed,
            WorkerSettings settings) {
        Map<String, ExportServerEnv.Volume> served = new LinkedHashMap<>();
        List<Volume> volumes = new ArrayList<>();
        List<VolumeMount> mounts = new ArrayList<>();
        List<VolumeDevice> devices = new ArrayList<>();
        int i = 0;
        for (String claim : claims) {
            PersistentVolumeClaim pvc = observed.get(claim);
            boolean block = "Block".equals(pvc.getSpec().getVolumeMode());
            String volume = "volume-" + i++;
            String path = ExportServerEnv.VOLUMES + "/" + claim;
            volumes.add(new VolumeBuilder().withName(volume).withNewPersistentVolumeClaim().withClaimName(claim).withReadOnly(true)
                    .endPersistentVolumeClaim().build());
            if (block) {
                devices.add(new VolumeDevice(path, volume));
            } else {
                mounts.add(WorkerPodBuilder.mount(volume, path, true));
            }
            served.put(claim, new ExportServerEnv.Volume(Path.of(path), archive(pvc)));
        }
        volumes.add(new VolumeBuilder().withName("export-tls").withNewSecret().withSecretName(tlsSecret(export)).endSecret().build());
        volumes.add(new VolumeBuilder().withName("export-token").withNewSecret().withSecretName(tokenSecret(export)).endSecret().build());
        volumes.add(new VolumeBuilder().withName("export-manifests").withNewSecret().withSecretName(manifestsSecret(export)).endSecret()
                .build());
        mounts.add(WorkerPodBuilder.mount("export-tls", TLS_PATH, true));
        mounts.add(WorkerPodBuilder.mount("export-token", TOKEN_PATH, true));
        mounts.add(WorkerPodBuilder.mount("export-manifests", MANIFESTS_PATH, true));
        ExportServerEnv env = new ExportServerEnv("0.0.0.0", PORT, Path.of(TLS_PATH, "tls.crt"), Path.of(TLS_PATH, "tls.key"),
                Path.of(TOKEN_PATH, "token"), served, Path.of(MANIFESTS_PATH),
                Reporting.of(ExportServerEnv.DEFAULT_METRICS_PORT, export.getMetadata().getUid()));
        Pod pod = WorkerPodBuilder.build(export.getMetadata().getNamespace(), labels(export), List.of(owner(export)), null, null, settings,
                new WorkerPodBuilder.Worker(serviceName(export), WorkerKind.EXPORT_SERVER, settings.images().exportServer(),
                        ExportServerEnv.DEFAULT_METRICS_PORT, env.toEnv(), volumes, mounts,
                        new io.fabric8.kubernetes.api.model.ProbeBuilder().withNewHttpGet().withScheme("HTTPS").withPath("/healthz")
                                .withNewPort(PORT).endHttpGet().withPeriodSeconds(2).build()));
        var container = pod.getSpec().getContainers().get(0);
        container.getPorts().add(new io.fabric8.kubernetes.api.model.ContainerPortBuilder().withName("export").withContainerPort(PORT)
                .withProtocol("TCP").build());
        container.setVolumeDevices(devices);
        // read-only claims, no writes anywhere: Block devices need no privileges to be read
        pod.getSpec().setRestartPolicy("Always");
        return pod;
    }

    private static Service service(VirtualMachineExport export) {
        return new ServiceBuilder().withMetadata(new ObjectMetaBuilder().withName(serviceName(export))
                        .withNamespace(export.getMetadata().getNamespace()).withLabels(labels(export)).withOwnerReferences(owner(export)).build())
                .withNewSpec().withSelector(Map.of(LABEL_EXPORT, export.getMetadata().getName()))
                .addNewPort().withName("export").withPort(443).withNewTargetPort(PORT).withProtocol("TCP").endPort().endSpec().build();
    }

    /** What the export made that is still there: server, Service, Secrets, restored claims. */
    private static List<HasMetadata> made(ExportObserved o) {
        List<HasMetadata> made = new ArrayList<>();
        for (HasMetadata object : new HasMetadata[] {o.pod(), o.service(), o.manifests(), o.tlsSecret()}) {
            if (object != null && object.getMetadata().getDeletionTimestamp() == null) {
                made.add(object);
            }
        }
        if (o.tokenSecret() != null && o.export().getSpec().tokenSecretRef == null) {
            made.add(o.tokenSecret());
        }
        o.claims().values().stream().filter(c -> c.getMetadata().getDeletionTimestamp() == null && c.getMetadata().getLabels() != null
                && o.export().getMetadata().getName().equals(c.getMetadata().getLabels().get(LABEL_EXPORT))).forEach(made::add);
        return made;
    }
}
