package dev.ferry.api.cdi.v1beta1;

/** CDI's annotations, spelled as CDI spells them. */
public final class Annotations {
    /** Bind a WaitForFirstConsumer claim at once, without waiting for a consumer. */
    public static final String IMMEDIATE_BIND = "cdi.kubevirt.io/storage.bind.immediate.requested";
    /** The claim was populated outside this DataVolume: adopt it, import nothing. */
    public static final String PRE_POPULATED = "cdi.kubevirt.io/storage.prePopulated";
    /** A claim that may receive an upload without an upload DataVolume. */
    public static final String UPLOAD_TARGET = "cdi.kubevirt.io/storage.upload.target";
    /** Keep the worker Pod after it completes (its log stays readable with {@code kubectl logs}). */
    public static final String RETAIN_AFTER_COMPLETION = "cdi.kubevirt.io/storage.pod.retainAfterCompletion";

    private Annotations() {
    }
}
