package dev.ferry.uploader.proxy;

import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Upload servers registered by address, as the local node agent starts them. */
public final class UploadServerTable implements UploadServerResolver {
    private final Map<String, InetSocketAddress> servers = new ConcurrentHashMap<>();

    public void register(String namespace, String pvcName, InetSocketAddress address) {
        servers.put(namespace + "/" + pvcName, address);
    }

    public void unregister(String namespace, String pvcName) {
        servers.remove(namespace + "/" + pvcName);
    }

    @Override
    public InetSocketAddress resolve(String namespace, String pvcName) {
        return servers.get(namespace + "/" + pvcName);
    }
}
