package dev.ferry.controllers.vmi.k8s;

import dev.ferry.api.cdi.v1beta1.DataVolume;
import dev.ferry.api.cdi.v1beta1.Phases;
import dev.ferry.api.kubevirt.v1.VirtualMachineInstance;
import dev.ferry.api.kubevirt.v1.VmiSpec;
import dev.ferry.controllers.vmi.LauncherPodBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A VMI's claims as the cluster has them: each volume's claim, or why the VMI must wait for them. */
public final class VmiClaims {
    /** volume → claim, or the reason they are not all ready. */
    public record Found(Map<String, PersistentVolumeClaim> claims, String waiting) {
    }

    private final KubernetesClient client;

    public VmiClaims(KubernetesClient client) {
        this.client = client;
    }

    public Found find(VirtualMachineInstance vmi) {
        String namespace = vmi.getMetadata().getNamespace();
        Map<String, PersistentVolumeClaim> claims = new LinkedHashMap<>();
        for (VmiSpec.Volume volume : vmi.getSpec().volumes == null ? List.<VmiSpec.Volume>of() : vmi.getSpec().volumes) {
            String claimName = LauncherPodBuilder.claimName(volume);
            if (claimName == null) {
                continue;
            }
            if (volume.dataVolume != null) {
                DataVolume dv = client.resources(DataVolume.class).inNamespace(namespace).withName(claimName).get();
                String phase = dv == null || dv.getStatus() == null ? null : dv.getStatus().phase;
                if (dv == null) {
                    return new Found(claims, "DataVolume " + claimName + " does not exist");
                }
                if (!Phases.SUCCEEDED.equals(phase)) {
                    return new Found(claims, "DataVolume " + claimName + " is " + (phase == null ? "Pending" : phase));
                }
            }
            PersistentVolumeClaim claim = client.persistentVolumeClaims().inNamespace(namespace).withName(claimName).get();
            if (claim == null) {
                return new Found(claims, "PersistentVolumeClaim " + claimName + " does not exist");
            }
            claims.put(volume.name, claim);
        }
        return new Found(claims, null);
    }
}
