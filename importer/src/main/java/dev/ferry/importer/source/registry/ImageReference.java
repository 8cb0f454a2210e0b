package dev.ferry.importer.source.registry;

import dev.ferry.disk.DiskException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A {@code docker://registry[:port]/repository[:tag|@sha256:digest]} reference. */
public record ImageReference(String registry, String repository, String reference) {
    private static final Pattern FORM = Pattern.compile(
            "docker://([^/]+)/([a-z0-9]+(?:[._-][a-z0-9]+)*(?:/[a-z0-9]+(?:[._-][a-z0-9]+)*)*)"
                    + "(?::([A-Za-z0-9_][A-Za-z0-9_.-]{0,127})|@(sha256:[a-f0-9]{64}))?");

    public static ImageReference parse(String url) throws DiskException {
        Matcher m = FORM.matcher(url);
        if (!m.matches()) {
            throw new DiskException(DiskException.Reason.INVALID_ARGUMENT, "registry source '" + url
                    + "' must be docker://REGISTRY/REPOSITORY[:TAG|@sha256:DIGEST]");
        }
        String reference = m.group(4) != null ? m.group(4) : m.group(3) != null ? m.group(3) : "latest";
        return new ImageReference(m.group(1), m.group(2), reference);
    }

    public boolean byDigest() {
        return reference.startsWith("sha256:");
    }

    @Override
    public String toString() {
        return "docker://" + registry + "/" + repository + (byDigest() ? "@" : ":") + reference;
    }
}
