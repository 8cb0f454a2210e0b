package dev.ferry.api.cdi.v1beta1;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/** Where a DataVolume's data comes from: exactly one of the members is set. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class DataVolumeSource {
    public Http http;
    public S3 s3;
    public Gcs gcs;
    public Registry registry;
    public ObjectRef pvc;
    public Upload upload;
    public Blank blank;
    public ImageIO imageio;
    public Vddk vddk;
    public ObjectRef snapshot;

    /** An http(s) endpoint with optional basic auth secret, CA config map and extra headers. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Http {
        public String url;
        public String secretRef;
        public String certConfigMap;
        public List<String> extraHeaders;
        public List<String> secretExtraHeaders;
    }

    /** An S3 object URL with an optional credentials secret and CA config map. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class S3 {
        public String url;
        public String secretRef;
        public String certConfigMap;
    }

    /** A Google Cloud Storage object URL. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Gcs {
        public String url;
        public String secretRef;
    }

    /** A container registry image holding the disk under /disk. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Registry {
        public String url;
        public String imageStream;
        public String pullMethod;
        public String secretRef;
        public String certConfigMap;
        public Platform platform;
    }

    /** The target platform when the registry image is a manifest list. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Platform {
        public String architecture;
    }

    /** A namespaced reference to a PVC or VolumeSnapshot to clone from. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class ObjectRef {
        public String namespace;
        public String name;
    }

    /** Data will be uploaded by a client through the upload proxy. */
    public static class Upload extends EmptyObject {
    }

    /** A blank raw disk of the requested size. */
    public static class Blank extends EmptyObject {
    }

    /** An oVirt imageio disk. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class ImageIO {
        public String url;
        public String diskId;
        public String secretRef;
        public String certConfigMap;
        public Boolean insecureSkipVerify;
    }

    /** A VMware disk read through VDDK. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Vddk {
        public String url;
        public String uuid;
        public String backingFile;
        public String thumbprint;
        public String secretRef;
        public String initImageURL;
        public String extraArgs;
    }
}
