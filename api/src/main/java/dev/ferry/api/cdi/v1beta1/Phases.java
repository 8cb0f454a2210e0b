package dev.ferry.api.cdi.v1beta1;

/** DataVolume phases, content types and condition types, spelled as CDI spells them. */
public final class Phases {
    public static final String PENDING = "Pending";
    public static final String PVC_BOUND = "PVCBound";
    public static final String IMPORT_SCHEDULED = "ImportScheduled";
    public static final String IMPORT_IN_PROGRESS = "ImportInProgress";
    public static final String CLONE_SCHEDULED = "CloneScheduled";
    public static final String CLONE_IN_PROGRESS = "CloneInProgress";
    public static final String SNAPSHOT_FOR_SMART_CLONE_IN_PROGRESS = "SnapshotForSmartCloneInProgress";
    public static final String CLONE_FROM_SNAPSHOT_SOURCE_IN_PROGRESS = "CloneFromSnapshotSourceInProgress";
    public static final String CSI_CLONE_IN_PROGRESS = "CSICloneInProgress";
    public static final String PREP_CLAIM_IN_PROGRESS = "PrepClaimInProgress";
    public static final String REBIND_IN_PROGRESS = "RebindInProgress";
    public static final String UPLOAD_SCHEDULED = "UploadScheduled";
    public static final String UPLOAD_READY = "UploadReady";
    public static final String WAIT_FOR_FIRST_CONSUMER = "WaitForFirstConsumer";
    public static final String PENDING_POPULATION = "PendingPopulation";
    public static final String SUCCEEDED = "Succeeded";
    public static final String FAILED = "Failed";
    public static final String UNKNOWN = "Unknown";
    public static final String PAUSED = "Paused";

    public static final String CONTENT_KUBEVIRT = "kubevirt";
    public static final String CONTENT_ARCHIVE = "archive";

    public static final String CONDITION_READY = "Ready";
    public static final String CONDITION_BOUND = "Bound";
    public static final String CONDITION_RUNNING = "Running";

    private Phases() {
    }
}
