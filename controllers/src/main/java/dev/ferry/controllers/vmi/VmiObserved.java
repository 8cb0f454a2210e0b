package dev.ferry.controllers.vmi;

import dev.ferry.api.kubevirt.v1.VirtualMachineInstance;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Everything one reconcile of a VMI reads.
 *
 * @param launchers the launcher Pods it created (its own and migration targets)
 * @param claims volume → claim, for every claim volume that is ready
 * @param waiting why its volumes are not ready (a DataVolume not Succeeded, a missing claim), or null
 * @param podSuffix the random suffix a new launcher Pod would get (randomness comes in, never made inside)
 */
public record VmiObserved(VirtualMachineInstance vmi, List<Pod> launchers, Map<String, PersistentVolumeClaim> claims,
        String waiting, String podSuffix, Instant now) {
}
