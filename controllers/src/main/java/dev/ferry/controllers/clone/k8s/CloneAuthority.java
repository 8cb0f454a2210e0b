package dev.ferry.controllers.clone.k8s;

import dev.ferry.controllers.clone.ClonePlan;
import dev.ferry.controllers.clone.CloneTokens;
import dev.ferry.controllers.runtime.Certificates;
import dev.ferry.worker.token.KeyFiles;
import dev.ferry.worker.token.TokenIssuer;
import dev.ferry.worker.token.TokenVerifier;
import dev.ferry.worker.token.UploadToken;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The clone authority every controller replica shares through one Secret in the controller's
 * namespace ({@value #SECRET}, made by the first replica that needs it): the CA of host-assisted
 * clones' mutual TLS and the key pair that signs clone tokens — the webhook (any replica) signs,
 * the reconciler (the leader) verifies.
 */
public final class CloneAuthority {
    public static final String SECRET = "ferry-clone-authority";
    private static final Duration CA_VALIDITY = Duration.ofDays(3650);
    /** Long enough for any clone; each clone has its own pair, deleted when it ends. */
    private static final Duration CERT_VALIDITY = Duration.ofDays(30);

    private final KubernetesClient client;
    private final String namespace;
    private final Clock clock;
    private volatile Loaded loaded;

    private record Loaded(Certificates.Issued ca, CloneTokens tokens) {
    }

    public CloneAuthority(KubernetesClient client, String namespace, Clock clock) {
        this.client = client;
        this.namespace = namespace;
        this.clock = clock;
    }

    public CloneTokens tokens() {
        return load().tokens();
    }

    /** Issues the clone's server and client certificates into their Secrets, unless they exist. */
    public void issue(ClonePlan.Tls tls, Map<String, String> labels) {
        Certificates.Issued ca = load().ca();
        if (client.secrets().inNamespace(tls.serverNamespace()).withName(tls.serverSecret()).get() == null) {
            Certificates.Issued server = Certificates.issue(ca, tls.serverNames().get(0), Certificates.Use.SERVER, tls.serverNames(),
                    clock.instant(), CERT_VALIDITY);
            create(tls.serverNamespace(), tls.serverSecret(), labels, server, ca);
        }
        if (client.secrets().inNamespace(tls.clientNamespace()).withName(tls.clientSecret()).get() == null) {
            Certificates.Issued clientCert = Certificates.issue(ca, tls.clientName(), Certificates.Use.CLIENT, List.of(), clock.instant(),
                    CERT_VALIDITY);
            create(tls.clientNamespace(), tls.clientSecret(), labels, clientCert, ca);
        }
    }

    private void create(String secretNamespace, String name, Map<String, String> labels, Certificates.Issued pair,
            Certificates.Issued ca) {
        Secret secret = new SecretBuilder().withNewMetadata().withName(name).withNamespace(secretNamespace).withLabels(labels)
                .endMetadata().withType("kubernetes.io/tls").withData(encode(Map.of("tls.crt", Certificates.pem(pair.certificate()),
                        "tls.key", Certificates.pem(pair.key()), "ca.crt", Certificates.pem(ca.certificate())))).build();
        try {
            client.secrets().resource(secret).create();
        } catch (KubernetesClientException e) {
            if (e.getCode() != 409) {
                throw e;
            }
        }
    }

    private Loaded load() {
        Loaded current = loaded;
        if (current != null) {
            return current;
        }
        synchronized (this) {
            if (loaded == null) {
                Secret secret = client.secrets().inNamespace(namespace).withName(SECRET).get();
                if (secret == null) {
                    secret = createAuthority();
                }
                loaded = parse(secret);
            }
            return loaded;
        }
    }

    /** A new CA and token key pair; when another replica made one first, that one. */
    private Secret createAuthority() {
        Certificates.Issued ca = Certificates.authority("ferry-clone-ca", clock.instant(), CA_VALIDITY);
        KeyPair tokenKeys;
        try {
            tokenKeys = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK has no Ed25519", e);
        }
        Map<String, String> data = new LinkedHashMap<>();
        data.put("ca.crt", Certificates.pem(ca.certificate()));
        data.put("ca.key", Certificates.pem(ca.key()));
        data.put("token.key", KeyFiles.encode("PRIVATE KEY", tokenKeys.getPrivate().getEncoded()));
        data.put("token.pub", KeyFiles.encode("PUBLIC KEY", tokenKeys.getPublic().getEncoded()));
        Secret secret = new SecretBuilder().withNewMetadata().withName(SECRET).withNamespace(namespace)
                .addToLabels("app.kubernetes.io/part-of", "ferry").endMetadata().withType("Opaque").withData(encode(data)).build();
        try {
            return client.secrets().resource(secret).create();
        } catch (KubernetesClientException e) {
            if (e.getCode() == 409) {
                return client.secrets().inNamespace(namespace).withName(SECRET).get();
            }
            throw e;
        }
    }

    private Loaded parse(Secret secret) {
        String origin = "Secret " + namespace + "/" + SECRET;
        try {
            Map<String, String> data = secret.getData();
            if (data == null || !data.keySet().containsAll(List.of("ca.crt", "ca.key", "token.key", "token.pub"))) {
                throw new IOException(origin + " lacks ca.crt, ca.key, token.key or token.pub; delete it and Ferry makes a new one");
            }
            X509Certificate certificate = (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(Base64.getDecoder().decode(data.get("ca.crt"))));
            Certificates.Issued ca = new Certificates.Issued(certificate, KeyFiles.privateKey(decode(data.get("ca.key")), origin + " ca.key"));
            CloneTokens tokens = new CloneTokens(new TokenIssuer(KeyFiles.privateKey(decode(data.get("token.key")), origin + " token.key"),
                    clock, UploadToken.LIFETIME),
                    new TokenVerifier(KeyFiles.publicKey(decode(data.get("token.pub")), origin + " token.pub"), clock));
            return new Loaded(ca, tokens);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new IllegalStateException(origin + " holds no valid CA certificate: " + e.getMessage(), e);
        }
    }

    private static Map<String, String> encode(Map<String, String> text) {
        Map<String, String> data = new LinkedHashMap<>();
        text.forEach((k, v) -> data.put(k, Base64.getEncoder().encodeToString(v.getBytes(StandardCharsets.US_ASCII))));
        return data;
    }

    private static String decode(String base64) {
        return new String(Base64.getDecoder().decode(base64), StandardCharsets.US_ASCII);
    }
}
