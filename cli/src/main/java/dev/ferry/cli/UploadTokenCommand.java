package dev.ferry.cli;

import dev.ferry.worker.token.KeyFiles;
import dev.ferry.worker.token.TokenIssuer;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ferry upload-token}: signs an upload token with the proxy's signing key, for admins and
 * scripts that drive an upload proxy without the control plane's token API.
 */
@Command(name = "upload-token", mixinStandardHelpOptions = true,
        description = "Print an upload token for one PVC, signed with the upload proxy's private key (valid 5 minutes).")
final class UploadTokenCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--signing-key", required = true, paramLabel = "FILE", description = "PEM private key (Ed25519 or RSA, PKCS#8).")
    Path signingKey;

    @Option(names = {"-n", "--namespace"}, defaultValue = "default", paramLabel = "NS", description = "The PVC's namespace.")
    String namespace;

    @Option(names = "--pvc", required = true, paramLabel = "NAME", description = "The PVC the token lets its holder upload to.")
    String pvc;

    @Option(names = "--lifetime", defaultValue = "5m", paramLabel = "DURATION", description = "How long the token is valid (default 5m).")
    String lifetime;

    @Override
    public Integer call() throws Exception {
        TokenIssuer issuer = new TokenIssuer(KeyFiles.privateKey(signingKey), Clock.systemUTC(),
                Durations.parse("--lifetime", lifetime));
        spec.commandLine().getOut().println(issuer.issue(namespace, pvc));
        spec.commandLine().getOut().flush();
        return 0;
    }
}
