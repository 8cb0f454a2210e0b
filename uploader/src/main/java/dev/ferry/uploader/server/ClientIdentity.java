package dev.ferry.uploader.server;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.ssl.SslHandler;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.net.ssl.SSLPeerUnverifiedException;

/**
 * Who a clone client is: the common name of the certificate it presented (the TLS layer has
 * already checked it chains to the clone CA), compared with the one name this server accepts — as
 * CDI's upload server checks a clone source's {@code <srcNs>/<src>-<tgtNs>/<tgt>}.
 */
final class ClientIdentity {
    private ClientIdentity() {
    }

    /** Why the peer is not {@code expected}, or null when it is. */
    static String refusal(ChannelHandlerContext ctx, String expected) {
        SslHandler tls = ctx.pipeline().get(SslHandler.class);
        if (tls == null) {
            return "a clone target accepts only mutual TLS connections";
        }
        try {
            Certificate[] chain = tls.engine().getSession().getPeerCertificates();
            String name = chain.length > 0 && chain[0] instanceof X509Certificate x509 ? commonName(x509) : null;
            return expected.equals(name) ? null : "client certificate " + name + " is not this clone's source (" + expected + ")";
        } catch (SSLPeerUnverifiedException e) {
            return "no client certificate: a clone source must present its certificate";
        }
    }

    static String commonName(X509Certificate certificate) {
        try {
            for (Rdn rdn : new LdapName(certificate.getSubjectX500Principal().getName()).getRdns()) {
                if ("CN".equalsIgnoreCase(rdn.getType())) {
                    return String.valueOf(rdn.getValue());
                }
            }
        } catch (InvalidNameException e) {
            return null;
        }
        return null;
    }
}
