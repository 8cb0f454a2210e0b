package dev.ferry.controllers.export;

import dev.ferry.api.export.v1beta1.VirtualMachineExport;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.time.Duration;
import java.util.List;

/**
 * What a reconcile of a VirtualMachineExport decided.
 *
 * @param create objects to create (token Secret, restored claims, manifests Secret, server Pod, Service), in order
 * @param issueCertificate make the server's certificate Secret (keys are made by the reconciler, never in the decision)
 * @param delete objects the export made, to delete (it was deleted or its TTL ended)
 * @param deleteExport the TTL ended: delete the export
 * @param removeFinalizer everything it made is gone
 * @param status the status to write, or null
 */
public record ExportPlan(boolean addFinalizer, List<HasMetadata> create, boolean issueCertificate, List<HasMetadata> delete,
        boolean deleteExport, boolean removeFinalizer, VirtualMachineExport.Status status, Duration requeueAfter) {
}
