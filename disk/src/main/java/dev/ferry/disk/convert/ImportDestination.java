package dev.ferry.disk.convert;

import dev.ferry.disk.sink.DiskTarget;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Where an import writes: a {@link Destination} on the filesystem, or any other {@link DiskTarget}
 * (the fuzz harnesses convert into memory, so an execution costs no file and no fsync).
 */
public interface ImportDestination {
    /** Opens the disk target; a file's capacity is the requested size, or unlimited. */
    DiskTarget open(long requestedSize, boolean preallocate) throws IOException;

    /** The directory a tar archive is extracted into ({@code contentType: archive}). */
    Path path();

    /** The directory a streamed qcow2's out-of-order clusters spill to once they exceed memory. */
    Path spillDirectory();
}
