package dev.ferry.api.upload.v1beta1;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.kubernetes.api.model.ObjectMeta;

/**
 * CDI's UploadTokenRequest ({@code upload.cdi.kubevirt.io/v1beta1}): created in a namespace for
 * a PVC, answered with {@code status.token}. Served by the controller behind an APIService and
 * never stored, so it is a plain object here, not a custom resource with a CRD.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class UploadTokenRequest {
    public static final String GROUP = "upload.cdi.kubevirt.io";
    public static final String VERSION = "v1beta1";
    public static final String API_VERSION = GROUP + "/" + VERSION;
    public static final String KIND = "UploadTokenRequest";

    public String apiVersion = API_VERSION;
    public String kind = KIND;
    public ObjectMeta metadata;
    public Spec spec;
    public Status status;

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Spec {
        public String pvcName;
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Status {
        public String token;
    }
}
