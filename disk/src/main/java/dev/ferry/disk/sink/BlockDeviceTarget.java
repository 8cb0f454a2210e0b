package dev.ferry.disk.sink;

import dev.ferry.disk.DiskException;
import dev.ferry.disk.Sizes;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A raw disk on a block device, whose size is the device's: it is read, never set. Zero runs are
 * made as qemu-img makes them on a device: {@code fallocate(PUNCH_HOLE)} (zeroes guaranteed, and
 * unmapped where the device can — a thin or loop device gives the space back), else BLKZEROOUT,
 * else the range is read back and only blocks that are not already zero are overwritten. What
 * lies past the image is zeroed when the disk is finished, so the device holds the image and
 * zeros, never an earlier tenant's data.
 */
public final class BlockDeviceTarget extends ChannelTarget {
    private static final int CHECK_BLOCK = 1 << 20;

    private final long capacity;
    private volatile boolean punchWorks;
    private volatile boolean zeroOutWorks = true;

    private BlockDeviceTarget(Path path, FileChannel channel, boolean preallocate) throws IOException {
        super(path, channel);
        this.capacity = nativeFile().size();
        this.punchWorks = !preallocate;
    }

    public static BlockDeviceTarget open(Path path) throws IOException {
        return open(path, false);
    }

    /** With {@code preallocate}, zeros stay allocated (BLKZEROOUT writes them): nothing is unmapped. */
    public static BlockDeviceTarget open(Path path, boolean preallocate) throws IOException {
        FileChannel channel = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
        BlockDeviceTarget target = null;
        try {
            target = new BlockDeviceTarget(path, channel, preallocate);
            return target;
        } finally {
            if (target == null) {
                channel.close();
            }
        }
    }

    @Override
    public long capacity() {
        return capacity;
    }

    @Override
    public void writeZeros(long offset, long length) throws IOException {
        if (punchWorks && nativeFile().punchHole(offset, length)) {
            return;
        }
        punchWorks = false;
        if (zeroOutWorks && nativeFile().zeroOutBlocks(offset, length)) {
            return;
        }
        zeroOutWorks = false;
        ByteBuffer block = ByteBuffer.allocateDirect((int) Math.min(CHECK_BLOCK, length));
        for (long done = 0; done < length; ) {
            int chunk = (int) Math.min(block.capacity(), length - done);
            block.clear().limit(chunk);
            while (block.hasRemaining() && channel.read(block, offset + done + block.position()) >= 0) {
                // fill
            }
            block.flip();
            if (ZeroScan.firstNonZero(block, 0, block.limit()) >= 0) {
                ZeroFill.write(this, offset + done, chunk);
            }
            done += chunk;
        }
    }

    @Override
    public void prepare(long size) throws IOException {
        check(size);
    }

    @Override
    public void finish(long size) throws IOException {
        check(size);
        if (size < capacity) {
            writeZeros(size, capacity - size);
        }
        channel.force(true);
    }

    private void check(long size) throws DiskException {
        if (size > capacity) {
            throw new DiskException(DiskException.Reason.TARGET_TOO_SMALL, String.format(
                    "disk of %s does not fit the %s block device %s", Sizes.human(size), Sizes.human(capacity), path));
        }
    }

    @Override
    public String describe() {
        return "block device " + path;
    }
}
