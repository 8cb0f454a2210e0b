package dev.ferry.api.export.v1beta1;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.ferry.api.snapshot.v1beta1.ObjectReference;
import dev.ferry.api.snapshot.v1beta1.SnapshotCondition;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;
import java.util.ArrayList;
import java.util.List;

/**
 * KubeVirt's VirtualMachineExport ({@code export.kubevirt.io/v1beta1}): serves the volumes of a
 * PersistentVolumeClaim, a stopped VirtualMachine or a VirtualMachineSnapshot over HTTPS to
 * whoever holds its token, until its TTL ends.
 */
@Group(VirtualMachineExport.GROUP)
@Version(VirtualMachineExport.VERSION)
@ShortNames({"vmexport", "vmexports"})
@AdditionalPrinterColumn(name = "SourceKind", jsonPath = ".spec.source.kind")
@AdditionalPrinterColumn(name = "SourceName", jsonPath = ".spec.source.name")
@AdditionalPrinterColumn(name = "Phase", jsonPath = ".status.phase")
public class VirtualMachineExport extends CustomResource<VirtualMachineExport.Spec, VirtualMachineExport.Status> implements Namespaced {
    public static final String GROUP = "export.kubevirt.io";
    public static final String VERSION = "v1beta1";
    public static final String PENDING = "Pending";
    public static final String READY = "Ready";
    public static final String TERMINATED = "Terminated";
    public static final String SKIPPED = "Skipped";
    /** Conditions: the server is serving; the source claims are ready; a snapshot's volumes were made. */
    public static final String CONDITION_READY = "Ready";
    public static final String CONDITION_PVC_READY = "PVCReady";
    public static final String CONDITION_VOLUMES_CREATED = "VolumesCreated";
    /** Formats of a disk, and of an archive (a filesystem's files). */
    public static final String RAW = "raw";
    public static final String GZIP = "gzip";
    public static final String DIR = "dir";
    public static final String TAR_GZ = "tar.gz";

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Spec {
        /** A PersistentVolumeClaim (apiGroup ""), a VirtualMachine (kubevirt.io) or a VirtualMachineSnapshot (snapshot.kubevirt.io). */
        public ObjectReference source;
        /** The Secret whose key {@code token} requests must carry (default {@code export-token-<name>}, made for the export). */
        public String tokenSecretRef;
        /** How long the export lives (a Go duration, default 2h); then it is deleted. */
        public String ttlDuration;
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Status {
        public String phase;
        public Links links;
        public String tokenSecretRef;
        public String ttlExpirationTime;
        public String serviceName;
        public String virtualMachineName;
        public List<SnapshotCondition> conditions = new ArrayList<>();
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Links {
        public Link internal;
        public Link external;
    }

    /** Where the volumes and manifests are, and the certificate (PEM) the server presents. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Link {
        public String cert;
        public List<Volume> volumes = new ArrayList<>();
        public List<Manifest> manifests = new ArrayList<>();
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Volume {
        public String name;
        public List<Format> formats = new ArrayList<>();
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Format {
        public String format;
        public String url;

        public Format() {
        }

        public Format(String format, String url) {
            this.format = format;
            this.url = url;
        }
    }

    /** A manifest: {@code all} (the VM, its DataVolumes, the CA ConfigMap) or {@code auth-header-secret}. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Manifest {
        public String type;
        public String url;

        public Manifest() {
        }

        public Manifest(String type, String url) {
            this.type = type;
            this.url = url;
        }
    }
}
