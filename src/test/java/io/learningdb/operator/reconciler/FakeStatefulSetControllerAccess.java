package io.learningdb.operator.reconciler;

import io.fabric8.kubernetes.client.KubernetesClient;

/** Lets tests in other packages play the StatefulSet controller. */
public final class FakeStatefulSetControllerAccess {

    private final FakeStatefulSetController controller;

    private FakeStatefulSetControllerAccess(KubernetesClient client) {
        this.controller = new FakeStatefulSetController(client);
    }

    public static FakeStatefulSetControllerAccess create(KubernetesClient client) {
        return new FakeStatefulSetControllerAccess(client);
    }

    public void run(String namespace, String name, boolean ready) {
        controller.run(namespace, name, ready);
    }

    public void createMissing(String namespace, String name) {
        controller.createMissing(namespace, name);
    }

    public void setReady(String namespace, String pod, boolean ready) {
        controller.setReady(namespace, pod, ready);
    }

    /** The node the fake StatefulSet controller schedules the pod of this ordinal on. */
    public static String node(String namespace, int ordinal) {
        return FakeStatefulSetController.node(namespace, ordinal);
    }
}
