package dev.ferry.controllers.testing;

import dev.ferry.api.cdi.v1beta1.DataVolume;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

/** Fixtures on the CRUD mock API server: the generated CRDs, CDI example DataVolumes, and what a kubelet would do to a Pod. */
public final class Cluster {
    private Cluster() {
    }

    /** Registers every CRD generated into manifests/crds (status subresource semantics come with them). */
    public static void installCrds(KubernetesClient client) throws IOException {
        try (DirectoryStream<Path> files = Files.newDirectoryStream(Path.of("..", "manifests", "crds"), "*.yml")) {
            for (Path file : files) {
                try (InputStream in = Files.newInputStream(file)) {
                    CustomResourceDefinition crd = Serialization.unmarshal(in, CustomResourceDefinition.class);
                    client.apiextensions().v1().customResourceDefinitions().resource(crd).createOr(existing -> existing.update());
                }
            }
        }
    }

    public static DataVolume example(String name, String namespace) throws IOException {
        try (InputStream in = Cluster.class.getResourceAsStream("/cdi-examples/" + name + ".yaml")) {
            DataVolume dv = Serialization.unmarshal(in, DataVolume.class);
            dv.getMetadata().setNamespace(namespace);
            return dv;
        }
    }

    /** The kubelet started the Pod: Running with an IP, Ready when {@code ready}. */
    public static void running(KubernetesClient client, Pod pod, String ip, boolean ready) {
        PodCondition readiness = new PodConditionBuilder().withType("Ready").withStatus(ready ? "True" : "False").build();
        pod.setStatus(new PodStatusBuilder().withPhase("Running").withPodIP(ip).withConditions(List.of(readiness)).build());
        client.resource(pod).updateStatus();
    }

    /** The worker exited: phase Succeeded or Failed, with its termination message. */
    public static void terminated(KubernetesClient client, Pod pod, boolean succeeded, String message, Instant finishedAt) {
        pod.setStatus(new PodStatusBuilder().withPhase(succeeded ? "Succeeded" : "Failed")
                .withContainerStatuses(new ContainerStatusBuilder().withName(pod.getSpec().getContainers().get(0).getName())
                        .withNewState().withNewTerminated().withExitCode(succeeded ? 0 : 1).withMessage(message)
                        .withFinishedAt(finishedAt.toString()).endTerminated().endState().build())
                .build());
        client.resource(pod).updateStatus();
    }
}
