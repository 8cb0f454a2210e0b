package dev.ferry.worker.env;

import java.util.Map;

/**
 * The source poller's environment (one short-lived Pod per DataImportCron poll): the registry
 * image to look up and how to reach it, as the importer reaches it. It reports the digest the
 * reference points at now in its termination message, so no worker needs API access.
 *
 * @param sourceUrl the image reference, {@code docker://registry/repository:tag}
 * @param access registry credentials, CAs, insecure (plain HTTP) and platform
 */
public record SourcePollerEnv(String sourceUrl, ImporterEnv.SourceAccess access, Reporting reporting) {
    public static SourcePollerEnv fromEnv(Map<String, String> variables) {
        EnvReader env = new EnvReader(variables);
        return new SourcePollerEnv(env.required(ImporterEnv.SOURCE_URL), ImporterEnv.SourceAccess.read(env),
                Reporting.read(env, -1));
    }

    public Map<String, String> toEnv() {
        EnvWriter env = new EnvWriter().put(ImporterEnv.SOURCE_URL, sourceUrl);
        access.write(env);
        reporting.write(env);
        return env.map();
    }
}
