package dev.ferry.controllers.vm;

import dev.ferry.api.cdi.v1beta1.DataVolume;
import dev.ferry.api.kubevirt.v1.VirtualMachineInstance;
import dev.ferry.api.kubevirt.v1.VmStatus;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * What a reconcile of a VirtualMachine decided.
 *
 * @param addFinalizer hold the VM until its VMI and DataVolumes are gone
 * @param removeFinalizer let a deleted VM go
 * @param createDataVolumes DataVolumes of its templates that do not exist yet
 * @param deleteDataVolumes its own DataVolumes, when the VM is deleted
 * @param createVmi the VMI to start, or null
 * @param deleteVmi stop the running VMI
 * @param dropRequest the first state-change request is done
 * @param halt a Once VM ran: its strategy becomes Halted
 * @param renew a restored VM asked for a new identity: what to change before its VMI starts, or null
 * @param status the status to report (written when it differs), or null to leave it
 * @param requeueAfter when to look again without a change, or null
 */
public record VmPlan(boolean addFinalizer, boolean removeFinalizer, List<DataVolume> createDataVolumes,
        List<DataVolume> deleteDataVolumes, VirtualMachineInstance createVmi, boolean deleteVmi, boolean dropRequest, boolean halt,
        Renewal renew, VmStatus status, Duration requeueAfter) {

    /**
     * A new identity for a VM restored into another namespace (the labels kubevirt-velero-plugin's
     * restore sets, {@link VmDecision#CLEAR_MAC_ADDRESS} and {@link VmDecision#NEW_FIRMWARE_UUID}):
     * its interfaces' MAC addresses cleared (the runtime picks new ones), its firmware UUID replaced
     * (null: kept), and the labels removed.
     */
    public record Renewal(boolean clearMacAddresses, String firmwareUuid) {
        /** What changes, for the event: "MAC addresses cleared, new firmware UUID …". */
        public String describe() {
            List<String> parts = new java.util.ArrayList<>();
            if (clearMacAddresses) {
                parts.add("MAC addresses cleared");
            }
            if (firmwareUuid != null) {
                parts.add("new firmware UUID " + firmwareUuid);
            }
            return String.join(", ", parts);
        }
    }

    /** Assembles a plan step by step; whatever is not set is not done. */
    static final class Builder {
        private boolean addFinalizer;
        private boolean removeFinalizer;
        private final List<DataVolume> createDataVolumes = new ArrayList<>();
        private final List<DataVolume> deleteDataVolumes = new ArrayList<>();
        private VirtualMachineInstance createVmi;
        private boolean deleteVmi;
        private boolean dropRequest;
        private boolean halt;
        private Renewal renew;
        private VmStatus status;

        Builder addFinalizer(boolean add) {
            addFinalizer = add;
            return this;
        }

        Builder removeFinalizer(boolean remove) {
            removeFinalizer = remove;
            return this;
        }

        Builder createDataVolume(DataVolume dv) {
            createDataVolumes.add(dv);
            return this;
        }

        Builder deleteDataVolume(DataVolume dv) {
            deleteDataVolumes.add(dv);
            return this;
        }

        Builder createVmi(VirtualMachineInstance vmi) {
            createVmi = vmi;
            return this;
        }

        Builder deleteVmi(boolean delete) {
            deleteVmi = delete;
            return this;
        }

        Builder dropRequest(boolean drop) {
            dropRequest = drop;
            return this;
        }

        Builder halt() {
            halt = true;
            return this;
        }

        Builder renew(Renewal renewal) {
            renew = renewal;
            return this;
        }

        Builder status(VmStatus wanted) {
            status = wanted;
            return this;
        }

        VmPlan done(Duration requeueAfter) {
            return new VmPlan(addFinalizer, removeFinalizer, List.copyOf(createDataVolumes), List.copyOf(deleteDataVolumes),
                    createVmi, deleteVmi, dropRequest, halt, renew, status, requeueAfter);
        }
    }
}
