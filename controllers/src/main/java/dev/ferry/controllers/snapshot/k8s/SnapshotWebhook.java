package dev.ferry.controllers.snapshot.k8s;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.api.clone.v1beta1.VirtualMachineClone;
import dev.ferry.api.kubevirt.v1.VirtualMachine;
import dev.ferry.api.snapshot.v1beta1.VirtualMachineRestore;
import dev.ferry.api.snapshot.v1beta1.VirtualMachineSnapshot;
import dev.ferry.controllers.snapshot.SnapshotAdmission;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.api.model.admission.v1.AdmissionRequest;
import io.fabric8.kubernetes.api.model.admission.v1.AdmissionResponse;
import io.fabric8.kubernetes.api.model.admission.v1.AdmissionReview;
import java.io.IOException;
import java.util.List;
import java.util.function.Function;
import java.util.logging.Logger;

/**
 * The validating admission webhook ({@value #PATH}) for what snapshots and restores protect, as
 * KubeVirt's: VirtualMachine updates (spec and status) while a snapshot or restore holds the VM,
 * VirtualMachineSnapshot, VirtualMachineRestore and VirtualMachineClone creates and updates —
 * each reviewed by {@link SnapshotAdmission}.
 */
public final class SnapshotWebhook {
    public static final String PATH = "/snapshot-validate";
    private static final Logger LOG = Logger.getLogger(SnapshotWebhook.class.getName());
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Function<String, List<VirtualMachineRestore>> restores;

    /** @param restores the restores of a namespace (for "another restore of this target is in progress") */
    public SnapshotWebhook(Function<String, List<VirtualMachineRestore>> restores) {
        this.restores = restores;
    }

    /** Answers an AdmissionReview (JSON) with one (JSON). */
    public String review(byte[] body) throws IOException {
        AdmissionReview review = JSON.readValue(body, AdmissionReview.class);
        AdmissionRequest request = review.getRequest();
        if (request == null || request.getUid() == null) {
            throw new IOException("not an AdmissionReview with a request");
        }
        String refused = refusal(request);
        AdmissionResponse response = new AdmissionResponse();
        response.setUid(request.getUid());
        response.setAllowed(refused == null);
        if (refused != null) {
            LOG.info(() -> "refused " + request.getOperation() + " of " + request.getKind().getKind() + " " + request.getNamespace() + "/"
                    + request.getName() + ": " + refused);
            response.setStatus(new StatusBuilder().withStatus("Failure").withCode(422).withReason("Invalid").withMessage(refused).build());
        }
        AdmissionReview answer = new AdmissionReview();
        answer.setApiVersion(review.getApiVersion() != null ? review.getApiVersion() : "admission.k8s.io/v1");
        answer.setKind("AdmissionReview");
        answer.setResponse(response);
        return JSON.writeValueAsString(answer);
    }

    private String refusal(AdmissionRequest request) {
        String kind = request.getKind() == null ? "" : request.getKind().getKind();
        boolean create = "CREATE".equals(request.getOperation());
        boolean update = "UPDATE".equals(request.getOperation());
        Object object = request.getObject();
        Object old = request.getOldObject();
        switch (kind) {
            case "VirtualMachine" -> {
                return update && old != null && object != null
                        ? SnapshotAdmission.vmUpdate(JSON.convertValue(old, VirtualMachine.class), JSON.convertValue(object, VirtualMachine.class))
                        : null;
            }
            case "VirtualMachineSnapshot" -> {
                VirtualMachineSnapshot snapshot = JSON.convertValue(object, VirtualMachineSnapshot.class);
                return create ? SnapshotAdmission.snapshotCreate(snapshot) : update
                        ? SnapshotAdmission.specUpdate(JSON.convertValue(old, VirtualMachineSnapshot.class).getSpec(), snapshot.getSpec()) : null;
            }
            case "VirtualMachineRestore" -> {
                VirtualMachineRestore restore = JSON.convertValue(object, VirtualMachineRestore.class);
                if (restore.getMetadata().getNamespace() == null) {
                    restore.getMetadata().setNamespace(request.getNamespace());
                }
                return create ? SnapshotAdmission.restoreCreate(restore, restores.apply(request.getNamespace())) : update
                        ? SnapshotAdmission.specUpdate(JSON.convertValue(old, VirtualMachineRestore.class).getSpec(), restore.getSpec()) : null;
            }
            case "VirtualMachineClone" -> {
                VirtualMachineClone clone = JSON.convertValue(object, VirtualMachineClone.class);
                return create ? SnapshotAdmission.cloneCreate(clone) : update
                        ? SnapshotAdmission.specUpdate(JSON.convertValue(old, VirtualMachineClone.class).getSpec(), clone.getSpec()) : null;
            }
            default -> {
                return null;
            }
        }
    }
}
