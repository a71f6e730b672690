package io.learningdb.operator.reconciler;

import java.util.HashMap;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;

/**
 * The mock API server runs no controllers: this plays the StatefulSet controller and the kubelet for tests,
 * creating the pods a StatefulSet would (labels from its template) and marking them ready.
 */
final class FakeStatefulSetController {

    private final KubernetesClient client;

    FakeStatefulSetController(KubernetesClient client) {
        this.client = client;
    }

    /** Creates missing pods {@code <sts>-0..replicas-1} from the template, ready or not, and sets the STS status. */
    void run(String namespace, String name, boolean ready) {
        StatefulSet sts = client.apps().statefulSets().inNamespace(namespace).withName(name).get();
        int replicas = sts.getSpec().getReplicas();
        for (int i = 0; i < replicas; i++) {
            String podName = name + "-" + i;
            if (client.pods().inNamespace(namespace).withName(podName).get() == null) {
                createPod(sts, podName);
            }
            setReady(namespace, podName, ready);
        }
        var status = new StatefulSetStatusBuilder().withReplicas(replicas).withReadyReplicas(ready ? replicas : 0)
                .withAvailableReplicas(ready ? replicas : 0).build();
        client.apps().statefulSets().inNamespace(namespace).withName(name).editStatus(s -> {
            s.setStatus(status);
            return s;
        });
    }

    /** Recreates pods that are missing (as after a pod deletion), not ready; existing pods are left alone. */
    void createMissing(String namespace, String name) {
        StatefulSet sts = client.apps().statefulSets().inNamespace(namespace).withName(name).get();
        for (int i = 0; i < sts.getSpec().getReplicas(); i++) {
            String podName = name + "-" + i;
            if (client.pods().inNamespace(namespace).withName(podName).get() == null) {
                createPod(sts, podName);
                setReady(namespace, podName, false);
            }
        }
    }

    /** The node the pod of this ordinal runs on. */
    public static String node(String namespace, int ordinal) {
        return namespace + "-node-" + ordinal;
    }

    /** A pod as the StatefulSet controller makes it: the template's labels, annotations and spec. */
    private void createPod(StatefulSet sts, String podName) {
        var template = sts.getSpec().getTemplate();
        client.pods().inNamespace(sts.getMetadata().getNamespace()).resource(new PodBuilder()
                .withNewMetadata().withName(podName).withNamespace(sts.getMetadata().getNamespace())
                .withLabels(new HashMap<>(template.getMetadata().getLabels()))
                .withAnnotations(template.getMetadata().getAnnotations() == null ? null
                        : new HashMap<>(template.getMetadata().getAnnotations()))
                .endMetadata()
                // scheduled as anti-affinity spreads them: one node per ordinal (Node objects exist only where a
                // test creates them)
                .withSpec(new io.fabric8.kubernetes.api.model.PodSpecBuilder(template.getSpec())
                        .withNodeName(node(sts.getMetadata().getNamespace(), io.learningdb.operator.resources.Names.ordinal(podName)))
                        .build())
                .build()).create();
    }

    /**
     * Writes the pod's readiness as the kubelet does: from the latest version, again on a conflict (the test API
     * server answers 409 when the operator relabelled the pod in between, as kube-apiserver would).
     */
    void setReady(String namespace, String podName, boolean ready) {
        for (int attempt = 0;; attempt++) {
            Pod pod = client.pods().inNamespace(namespace).withName(podName).get();
            // the containers run from the pod's first status on: their start time stays (a restart is a new pod here)
            var started = pod.getStatus() == null || pod.getStatus().getContainerStatuses() == null
                    || pod.getStatus().getContainerStatuses().isEmpty() ? java.time.Instant.now().toString()
                    : pod.getStatus().getContainerStatuses().get(0).getState().getRunning().getStartedAt();
            pod.setStatus(new io.fabric8.kubernetes.api.model.PodStatusBuilder()
                    .withPhase("Running")
                    .withConditions(new PodConditionBuilder().withType("Ready").withStatus(ready ? "True" : "False").build())
                    .withContainerStatuses(pod.getSpec().getContainers().stream().map(c ->
                            new io.fabric8.kubernetes.api.model.ContainerStatusBuilder().withName(c.getName())
                                    .withReady(ready).withImage(c.getImage())
                                    .withNewState().withNewRunning().withStartedAt(started).endRunning().endState()
                                    .build()).toList())
                    .build());
            try {
                client.pods().inNamespace(namespace).resource(pod).updateStatus();
                return;
            } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
                if (e.getCode() != 409 || attempt >= 20) {
                    throw e;
                }
            }
        }
    }
}
