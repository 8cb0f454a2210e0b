package dev.ferry.uploader.proxy;

import java.net.InetSocketAddress;

/** Where the upload server of a PVC listens: a Service's DNS name in a cluster, a table in local mode. */
@FunctionalInterface
public interface UploadServerResolver {
    /** The address (possibly unresolved), or null when this PVC has no upload server. */
    InetSocketAddress resolve(String namespace, String pvcName);

    /** CDI's naming: Service {@code cdi-upload-<pvc>} in the PVC's namespace, port 443. */
    static UploadServerResolver clusterServices(String clusterDomain) {
        return (namespace, pvc) -> InetSocketAddress.createUnresolved(
                "cdi-upload-" + pvc + "." + namespace + ".svc." + clusterDomain, 443);
    }
}
