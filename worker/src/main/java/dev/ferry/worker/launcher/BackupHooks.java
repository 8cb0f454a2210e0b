package dev.ferry.worker.launcher;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Velero's backup hooks on a launcher Pod, as KubeVirt's launcher Pods carry them: before Velero
 * snapshots the Pod's volumes it runs {@code virt-freezer --freeze} in the launcher container, and
 * {@code virt-freezer --unfreeze} after. The annotations the VMI controller writes and the flags
 * the freezer command reads are both here, so the two cannot drift apart.
 */
public final class BackupHooks {
    /** On a VM or VMI, {@code "true"}: no hooks (a guest whose freeze must never be attempted). */
    public static final String SKIP = "kubevirt.io/skip-backup-hooks";
    public static final String PRE_CONTAINER = "pre.hook.backup.velero.io/container";
    public static final String PRE_COMMAND = "pre.hook.backup.velero.io/command";
    public static final String PRE_TIMEOUT = "pre.hook.backup.velero.io/timeout";
    public static final String POST_CONTAINER = "post.hook.backup.velero.io/container";
    public static final String POST_COMMAND = "post.hook.backup.velero.io/command";
    /** KubeVirt's value since 1.8 (Velero's default is 30 s, short for a guest that syncs a lot before freezing). */
    public static final String TIMEOUT = "60s";
    /** Where the freezer is in the launcher image, as in KubeVirt's. */
    public static final String FREEZER = "/usr/bin/virt-freezer";
    public static final String FREEZE = "--freeze";
    public static final String UNFREEZE = "--unfreeze";
    public static final String NAME = "--name";
    public static final String NAMESPACE = "--namespace";
    public static final String UNFREEZE_TIMEOUT = "--unfreezeTimeoutSeconds";
    /** virt-freezer's default: a guest frozen by a backup that never ran its post hook is thawed after 5 minutes. */
    public static final long DEFAULT_UNFREEZE_TIMEOUT_SECONDS = 300;

    private BackupHooks() {
    }

    /** The hook annotations for a launcher Pod of VMI {@code namespace/vmi} whose launcher container is {@code container}. */
    public static Map<String, String> annotations(String container, String namespace, String vmi) {
        Map<String, String> annotations = new LinkedHashMap<>();
        annotations.put(PRE_CONTAINER, container);
        annotations.put(PRE_COMMAND, json(command(true, namespace, vmi)));
        annotations.put(PRE_TIMEOUT, TIMEOUT);
        annotations.put(POST_CONTAINER, container);
        annotations.put(POST_COMMAND, json(command(false, namespace, vmi)));
        return annotations;
    }

    /** The freezer's command line, as the hook runs it. */
    public static List<String> command(boolean freeze, String namespace, String vmi) {
        return List.of(FREEZER, freeze ? FREEZE : UNFREEZE, NAME, vmi, NAMESPACE, namespace);
    }

    /** Whether hooks are left off for an object with these annotations. */
    public static boolean skipped(Map<String, String> annotations) {
        return annotations != null && "true".equals(annotations.get(SKIP));
    }

    private static String json(List<String> command) {
        try {
            return LauncherApi.JSON.writeValueAsString(command);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
