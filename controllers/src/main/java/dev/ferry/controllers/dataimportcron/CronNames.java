package dev.ferry.controllers.dataimportcron;

import dev.ferry.api.cdi.v1beta1.DataImportCron;

/** CDI's annotations, labels and names for a DataImportCron and what it makes. */
public final class CronNames {
    public static final String ANN_DESIRED_DIGEST = "cdi.kubevirt.io/storage.import.sourceDesiredDigest";
    public static final String ANN_LAST_CRON_TIME = "cdi.kubevirt.io/storage.import.lastCronTime";
    public static final String ANN_NEXT_CRON_TIME = "cdi.kubevirt.io/storage.import.nextCronTime";
    public static final String ANN_LAST_USE_TIME = "cdi.kubevirt.io/storage.import.lastUseTime";
    /** Ferry's: failed polls in a row, for the retry back-off. */
    public static final String ANN_POLL_FAILURES = "ferry.kubevirt.dev/poll-failures";
    /** The start ({@link #ANN_LAST_CRON_TIME}) of the last poll counted as failed: a failed poller seen twice counts once. */
    public static final String ANN_POLL_FAILED = "ferry.kubevirt.dev/poll-failed";
    public static final String LABEL_CRON = "cdi.kubevirt.io/dataImportCron";
    public static final String LABEL_CLEANUP = "cdi.kubevirt.io/dataImportCron.cleanup";
    public static final String FINALIZER = "ferry.kubevirt.dev/dataimportcron-cleanup";
    /** Digests of claim sources: the claim's uid, as CDI writes it. */
    public static final String UID_PREFIX = "uid:";

    private CronNames() {
    }

    /** {@code <managedDataSource>-<the digest's first 12 hex characters>}. */
    public static String importName(DataImportCron cron, String digest) {
        String hex = digest.startsWith("sha256:") ? digest.substring(7) : digest.startsWith(UID_PREFIX) ? digest.substring(4) : digest;
        hex = hex.replace("-", "");
        return cron.getSpec().managedDataSource + "-" + hex.substring(0, Math.min(12, hex.length()));
    }

    /** The poller Pod of a cron: one at a time, CDI's node-poller name. */
    public static String poller(DataImportCron cron) {
        String uid = cron.getMetadata().getUid() == null ? "" : cron.getMetadata().getUid().replace("-", "");
        return "poller-" + cron.getMetadata().getName() + "-" + uid.substring(0, Math.min(8, uid.length()));
    }

    /** A registry URL pinned to {@code digest}: its tag (or digest) replaced. */
    public static String pinned(String url, String digest) {
        int slash = url.lastIndexOf('/');
        String last = url.substring(slash + 1);
        int at = last.indexOf('@');
        int colon = last.indexOf(':');
        String repository = at >= 0 ? last.substring(0, at) : colon >= 0 ? last.substring(0, colon) : last;
        return url.substring(0, slash + 1) + repository + "@" + digest;
    }
}
