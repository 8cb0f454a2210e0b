package dev.ferry.controllers.export;

import dev.ferry.api.export.v1beta1.VirtualMachineExport;
import dev.ferry.api.kubevirt.v1.VirtualMachine;
import dev.ferry.api.snapshot.v1beta1.VirtualMachineSnapshot;
import dev.ferry.api.snapshot.v1beta1.VirtualMachineSnapshotContent;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import java.time.Instant;
import java.util.Map;

/**
 * Everything one reconcile of a VirtualMachineExport reads.
 *
 * @param vm the source VM (VM source), or null
 * @param vmRunning whether the source VM has a VMI (it must be stopped to be exported)
 * @param snapshot the source snapshot and its content (snapshot source), or null
 * @param claims the claims by name: the source's own, or those restored from the snapshot for the export
 * @param tokenSecret the Secret holding the token, or null
 * @param tlsSecret the server's certificate, key and CA, or null
 * @param newToken a fresh random token, used only when the export's default token Secret is made
 */
public record ExportObserved(VirtualMachineExport export, VirtualMachine vm, boolean vmRunning, VirtualMachineSnapshot snapshot,
        VirtualMachineSnapshotContent snapshotContent, Map<String, PersistentVolumeClaim> claims, Secret tokenSecret, Secret tlsSecret,
        Secret manifests, Pod pod, Service service, Instant now, String newToken) {
}
