package dev.ferry.uploader.proxy;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;

/** Relays an upload server's response to the client, pausing the server while the client is slow. */
final class UpstreamHandler extends ChannelInboundHandlerAdapter {
    private final Channel frontend;
    private final ProxyFrontendHandler exchange;
    private boolean responseStarted;
    private boolean responseEnded;

    UpstreamHandler(Channel frontend, ProxyFrontendHandler exchange) {
        this.frontend = frontend;
        this.exchange = exchange;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof HttpObject) || responseEnded) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (msg instanceof HttpResponse response) {
            responseStarted = true;
            exchange.responseHead(response);
        }
        boolean last = msg instanceof LastHttpContent;
        frontend.write(msg);
        if (!frontend.isWritable()) {
            ctx.channel().config().setAutoRead(false);
        }
        if (last) {
            responseEnded = true;
            frontend.flush();
            exchange.responseEnded(ctx.channel());
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        frontend.flush();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (!responseEnded) {
            exchange.upstreamLost(responseStarted);
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (ctx.channel().isWritable()) {
            exchange.upstreamWritable();
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }
}
