package dev.ferry.snapshot.export;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.stream.ChunkedInput;
import java.util.function.LongConsumer;

/** A response body the chunked writer pulls: what it has handed out counted here and to the server's total. */
abstract class Body implements ChunkedInput<ByteBuf> {
    private final LongConsumer sent;
    private long produced;

    Body(LongConsumer sent) {
        this.sent = sent;
    }

    /** {@code chunk}, counted. */
    final ByteBuf counted(ByteBuf chunk) {
        produced += chunk.readableBytes();
        sent.accept(chunk.readableBytes());
        return chunk;
    }

    @Deprecated
    @Override
    public final ByteBuf readChunk(ChannelHandlerContext ctx) throws Exception {
        return readChunk(ctx.alloc());
    }

    /** Unknown unless the body says: sent chunked. */
    @Override
    public long length() {
        return -1;
    }

    @Override
    public long progress() {
        return produced;
    }
}
