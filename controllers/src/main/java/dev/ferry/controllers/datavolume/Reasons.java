package dev.ferry.controllers.datavolume;

/** Event and condition reasons, spelled as CDI spells them where CDI has them. */
public final class Reasons {
    public static final String PENDING = "Pending";
    public static final String BOUND = "Bound";
    public static final String CLAIM_PENDING = "Pending";
    public static final String IMPORT_SCHEDULED = "ImportScheduled";
    public static final String IMPORT_IN_PROGRESS = "ImportInProgress";
    public static final String IMPORT_SUCCEEDED = "ImportSucceeded";
    public static final String IMPORT_FAILED = "ImportFailed";
    public static final String UPLOAD_SCHEDULED = "UploadScheduled";
    public static final String UPLOAD_READY = "UploadReady";
    public static final String UPLOAD_SUCCEEDED = "UploadSucceeded";
    public static final String UPLOAD_FAILED = "UploadFailed";
    public static final String WAIT_FOR_FIRST_CONSUMER = "WaitForFirstConsumer";
    public static final String ERR_RESOURCE_EXISTS = "ErrResourceExists";
    public static final String UNSUPPORTED_SOURCE = "UnsupportedSource";
    public static final String DATA_SOURCE_NOT_FOUND = "DataSourceNotFound";
    public static final String WORKER_RESTARTING = "WorkerRestarting";
    public static final String COMPLETED = "Completed";
    public static final String RUNNING = "Running";
    public static final String POD_PENDING = "PodPending";
    public static final String PRE_POPULATED = "PrePopulated";

    private Reasons() {
    }
}
