package dev.ferry.worker.env;

import java.nio.file.Path;

/**
 * The volume a data worker fills and what goes into it: a block device ({@code blockPath}) or a
 * filesystem volume ({@code dataPath}, the disk at {@code disk.img}), the content type
 * ({@code kubevirt} or {@code archive}), the disk size asked for (a Kubernetes quantity, or null:
 * the image's own), a checksum of the source ({@code algo:hex}) and preallocation.
 */
public record DiskTarget(Path dataPath, Path blockPath, String contentType, String imageSize, String checksum,
        boolean preallocation) {
    public static final String DATA_PATH = "/data";
    public static final String BLOCK_PATH = "/dev/ferry-block";
    public static final String KUBEVIRT = "kubevirt";
    public static final String ARCHIVE = "archive";
    private static final String DATA_PATH_KEY = "FERRY_DATA_PATH";
    private static final String BLOCK_PATH_KEY = "FERRY_BLOCK_PATH";
    private static final String CONTENT_TYPE = "FERRY_CONTENT_TYPE";
    private static final String IMAGE_SIZE = "FERRY_IMAGE_SIZE";
    private static final String CHECKSUM = "FERRY_CHECKSUM";
    private static final String PREALLOCATION = "FERRY_PREALLOCATION";

    /** A filesystem volume at {@code path}. */
    public static DiskTarget filesystem(Path path, String contentType, String imageSize, String checksum, boolean preallocation) {
        return new DiskTarget(path, null, contentType, imageSize, checksum, preallocation);
    }

    /** A block device at {@code path}: its size is the device's. */
    public static DiskTarget block(Path path, String contentType, String checksum, boolean preallocation) {
        return new DiskTarget(null, path, contentType, null, checksum, preallocation);
    }

    public boolean archive() {
        return ARCHIVE.equals(contentType);
    }

    public boolean isBlock() {
        return blockPath != null;
    }

    /** The block device, else the disk file (the data directory itself, for archives). */
    public Path destination() {
        if (blockPath != null) {
            return blockPath;
        }
        return archive() ? dataPath : dataPath.resolve("disk.img");
    }

    static DiskTarget read(EnvReader env) {
        Path block = env.path(BLOCK_PATH_KEY);
        return new DiskTarget(block == null ? env.path(DATA_PATH_KEY, DATA_PATH) : null, block,
                env.string(CONTENT_TYPE, KUBEVIRT), env.string(IMAGE_SIZE, null), env.string(CHECKSUM, null),
                env.bool(PREALLOCATION, false));
    }

    void write(EnvWriter env) {
        env.put(CONTENT_TYPE, contentType).put(IMAGE_SIZE, imageSize).put(CHECKSUM, checksum).flag(PREALLOCATION, preallocation)
                .put(BLOCK_PATH_KEY, blockPath).put(DATA_PATH_KEY, blockPath == null ? dataPath : null);
    }
}
