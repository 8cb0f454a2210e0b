package dev.ferry.uploader.server;

import dev.ferry.disk.DiskException;
import dev.ferry.disk.Sizes;
import dev.ferry.disk.convert.ImportResult;
import dev.ferry.disk.progress.TransferProgress;
import io.netty.buffer.ByteBuf;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * The one upload a volume gets, across connections: who is sending, how many bytes are
 * committed (handed to the converter), and the conversion running while they arrive. A
 * dropped connection leaves the upload {@code Interrupted} with its conversion waiting, so a
 * request with {@code Content-Range: bytes OFFSET-…} continues it and the disk ends up exactly
 * as an uninterrupted upload would have made it.
 */
final class UploadSession {
    private static final Logger LOG = Logger.getLogger(UploadSession.class.getName());

    enum State { IDLE, RECEIVING, INTERRUPTED, COMPLETING, SUCCEEDED }

    /** What {@link #admit} decided: a rejection with an HTTP status, or the upload the request feeds. */
    record Admission(int status, String message, CompletableFuture<ImportResult> conversion) {
        boolean accepted() {
            return status == 0;
        }

        static Admission reject(int status, String message) {
            return new Admission(status, message, null);
        }
    }

    private final Converter converter;
    private final Executor conversionThreads;
    private final ScheduledExecutorService timer;
    private final Duration resumeTimeout;
    private final long pipeBytes;
    private final TransferProgress progress = new TransferProgress();
    private final CompletableFuture<ImportResult> succeeded = new CompletableFuture<>();

    private State state = State.IDLE;
    private Object owner;
    private int generation;
    private BytePipe pipe;
    private CompletableFuture<ImportResult> conversion = CompletableFuture.completedFuture(null);
    private long committed;
    private long total = ContentRange.UNKNOWN;
    private String lastFailure;
    private ScheduledFuture<?> resumeDeadline;

    UploadSession(Converter converter, Executor conversionThreads, ScheduledExecutorService timer,
            Duration resumeTimeout, long pipeBytes) {
        this.converter = converter;
        this.conversionThreads = conversionThreads;
        this.timer = timer;
        this.resumeTimeout = resumeTimeout;
        this.pipeBytes = pipeBytes;
    }

    /** Decides whether a request may send its body now, and into which conversion. */
    synchronized Admission admit(Object requester, ContentRange range, long length) {
        switch (state) {
            case SUCCEEDED:
                return Admission.reject(409, "this volume's upload has already succeeded; upload to a new volume");
            case RECEIVING:
                return Admission.reject(503, "another upload to this volume is in progress (" + describeOffset()
                        + " received); wait for it, or stop it first");
            case COMPLETING:
                return Admission.reject(503, "the previous upload is being written to disk; try again shortly");
            case INTERRUPTED:
                return range != null ? resume(requester, range, length) : restart(requester, length);
            default:
                if (range != null && range.start() != 0) {
                    return Admission.reject(416, "there is no interrupted upload to resume; upload from offset 0");
                }
                return start(requester, range != null ? range.total() : length);
        }
    }

    private Admission resume(Object requester, ContentRange range, long length) {
        if (range.start() != committed) {
            return Admission.reject(416, "the upload can resume at offset " + committed + ", not " + range.start());
        }
        if (range.total() != ContentRange.UNKNOWN && total != ContentRange.UNKNOWN && range.total() != total) {
            return Admission.reject(400, "the interrupted upload is " + total + " bytes long, this request says "
                    + range.total() + "; upload from offset 0 to replace it");
        }
        cancelDeadline();
        owner = requester;
        state = State.RECEIVING;
        LOG.info(() -> "resuming the upload at offset " + committed);
        return new Admission(0, null, conversion);
    }

    /** A new upload replaces an interrupted one: the old conversion is aborted before the new one writes. */
    private Admission restart(Object requester, long length) {
        LOG.info(() -> "discarding the interrupted upload at " + describeOffset() + " for a new one");
        cancelDeadline();
        pipe.fail(new IOException("replaced by a new upload"));
        return start(requester, length);
    }

    private Admission start(Object requester, long length) {
        CompletableFuture<ImportResult> previous = conversion;
        int current = ++generation;
        owner = requester;
        state = State.RECEIVING;
        committed = 0;
        total = length;
        lastFailure = null;
        progress.reset();
        BytePipe next = new BytePipe(pipeBytes);
        pipe = next;
        long size = length;
        // answers go out after finished() recorded the outcome: a client told 200 finds the session Succeeded
        conversion = previous.handle((result, failure) -> null)
                .thenApplyAsync(ignored -> convert(next, size), conversionThreads)
                .whenComplete((result, failure) -> finished(current, result, failure));
        return new Admission(0, null, conversion);
    }

    private ImportResult convert(BytePipe source, long size) {
        try (UploadedImage image = new UploadedImage(source, size)) {
            return converter.convert(image, progress);
        } catch (IOException e) {
            throw new UploadFailure(e);
        }
    }

    private synchronized void finished(int finishedGeneration, ImportResult result, Throwable failure) {
        if (finishedGeneration != generation) {
            return;
        }
        cancelDeadline();
        owner = null;
        if (failure == null) {
            state = State.SUCCEEDED;
            LOG.info(() -> "upload complete: " + result);
            succeeded.complete(result);
        } else {
            state = State.IDLE;
            lastFailure = UploadFailure.cause(failure).getMessage();
            LOG.warning(() -> "upload failed: " + lastFailure);
        }
    }

    /** Commits body bytes of the owner's request; false when its connection should pause reading. */
    boolean write(Object requester, ByteBuf data, Runnable resumeReading) {
        BytePipe target;
        synchronized (this) {
            if (owner != requester || state != State.RECEIVING) {
                data.release();
                return true;
            }
            long n = data.readableBytes();
            if (total != ContentRange.UNKNOWN && committed + n > total) {
                data.release();
                throw new IllegalStateException("more bytes than the " + total + " announced");
            }
            committed += n;
            target = pipe;
        }
        return target.offer(data, resumeReading);
    }

    /** What the end of a request's body meant for the upload. */
    enum End { COMPLETE, PARTIAL, NOT_OWNER }

    /**
     * The owner's request body ended: the upload is complete (the converter then sees the end
     * of the image), or partial when the body stopped short of the announced total (the upload
     * waits, interrupted, for the rest), or this request no longer owns the upload (its
     * conversion already ended).
     */
    synchronized End endOfRequest(Object requester) {
        if (owner != requester || state != State.RECEIVING) {
            return End.NOT_OWNER;
        }
        if (total != ContentRange.UNKNOWN && committed < total) {
            interrupt();
            return End.PARTIAL;
        }
        state = State.COMPLETING;
        owner = null;
        pipe.finish();
        return End.COMPLETE;
    }

    /** The owner's connection closed before its body ended. */
    synchronized void connectionLost(Object requester) {
        if (owner == requester && state == State.RECEIVING) {
            interrupt();
        }
    }

    /** The owner gives up (it answered an error): the conversion is aborted. */
    synchronized void abort(Object requester, String why) {
        if (owner == requester && state == State.RECEIVING) {
            pipe.fail(new IOException(why));
        }
    }

    private void interrupt() {
        state = State.INTERRUPTED;
        owner = null;
        int interrupted = generation;
        LOG.info(() -> "upload interrupted at " + describeOffset() + "; resume within " + resumeTimeout.toSeconds() + " s");
        resumeDeadline = timer.schedule(() -> expire(interrupted), resumeTimeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    private synchronized void expire(int interrupted) {
        if (generation == interrupted && state == State.INTERRUPTED) {
            pipe.fail(new DiskException(DiskException.Reason.SOURCE_UNAVAILABLE, "the upload was interrupted at "
                    + describeOffset() + " and not resumed within " + resumeTimeout.toSeconds() + " s"));
        }
    }

    private void cancelDeadline() {
        if (resumeDeadline != null) {
            resumeDeadline.cancel(false);
            resumeDeadline = null;
        }
    }

    private String describeOffset() {
        return total == ContentRange.UNKNOWN ? committed + " bytes"
                : committed + " of " + total + " bytes (" + Sizes.human(committed) + ")";
    }

    synchronized Snapshot snapshot() {
        return new Snapshot(state, committed, total, lastFailure);
    }

    /** What {@code HEAD} reports. */
    record Snapshot(State state, long committed, long total, String lastFailure) {
    }

    TransferProgress progress() {
        return progress;
    }

    /** Completes once an upload has been converted and synced. */
    CompletableFuture<ImportResult> succeeded() {
        return succeeded;
    }

    /** Turns an upload into a disk: the disk engine, or a stand-in that measures. */
    @FunctionalInterface
    interface Converter {
        ImportResult convert(UploadedImage image, TransferProgress progress) throws IOException;
    }

    /** An {@link IOException} carried through a {@link CompletableFuture}. */
    static final class UploadFailure extends RuntimeException {
        UploadFailure(IOException cause) {
            super(cause.getMessage(), cause);
        }

        static Throwable cause(Throwable failure) {
            Throwable t = failure;
            while ((t instanceof java.util.concurrent.CompletionException || t instanceof UploadFailure)
                    && t.getCause() != null) {
                t = t.getCause();
            }
            return t;
        }
    }
}
