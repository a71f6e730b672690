package io.learningdb.operator.config;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.Map;
import java.util.Optional;

import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.runtime.StartupEvent;

/**
 * Before the operator starts: is there a Kubernetes API server to talk to? Without a kube context (no
 * ~/.kube/config, no $KUBECONFIG), outside a pod and without Docker for the k3s Dev Service, the client falls back
 * to https://kubernetes.default.svc and the start ends in a wall of UnknownHostException stack traces. Instead:
 * one line saying what is missing and how to get a cluster, and the process exits.
 */
@ApplicationScoped
public class ClusterCheck {

    private static final Logger LOG = Logger.getLogger(ClusterCheck.class);
    static final int CONNECT_TIMEOUT_MS = 3000;

    /** How an address is reached; replaced in tests. */
    interface Network {
        void resolve(String host) throws UnknownHostException;

        void connect(String host, int port) throws IOException;
    }

    static final Network REAL = new Network() {
        @Override
        public void resolve(String host) throws UnknownHostException {
            java.net.InetAddress.getByName(host);
        }

        @Override
        public void connect(String host, int port) throws IOException {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(host, port), CONNECT_TIMEOUT_MS);
            }
        }
    };

    @Inject
    KubernetesClient client;

    /** Runs before the operator SDK's own startup observer (default priority), which would start the informers. */
    void onStart(@Observes @Priority(1) StartupEvent event) {
        problem(client.getConfiguration().getMasterUrl(), System.getenv(), REAL).ifPresent(message -> {
            LOG.error(message);
            System.err.flush();
            System.out.flush();
            // Nothing has started yet (no informer, no thread of ours): end the process here, with this line as its
            // last word. A thrown exception or an orderly exit would let Quarkus print its own startup-failure trace.
            Runtime.getRuntime().halt(1);
        });
    }

    /** The one-line explanation when no API server can be reached at {@code masterUrl}, or empty. */
    static Optional<String> problem(String masterUrl, Map<String, String> env, Network network) {
        URI uri = URI.create(masterUrl);
        String host = uri.getHost();
        int port = uri.getPort() > 0 ? uri.getPort() : ("http".equals(uri.getScheme()) ? 80 : 443);
        boolean fallback = "kubernetes.default.svc".equals(host) && !env.containsKey("KUBERNETES_SERVICE_HOST");
        String howTo = " Create a local cluster with `kind create cluster` or `k3d cluster create` (or start Docker, and "
                + "./mvnw quarkus:dev starts a k3s Dev Service), or point KUBECONFIG at a cluster, then run again.";
        try {
            network.resolve(host);
        } catch (UnknownHostException e) {
            if (fallback) {
                return Optional.of("No Kubernetes cluster: no kube context (~/.kube/config or $KUBECONFIG), not running in "
                        + "a pod, and no k3s Dev Service (it needs Docker)." + howTo);
            }
            return Optional.of("No Kubernetes cluster: the API server " + masterUrl + " from the current kube context does "
                    + "not resolve." + howTo);
        }
        try {
            network.connect(host, port);
        } catch (IOException e) {
            return Optional.of("No Kubernetes cluster: the API server " + masterUrl + " from the current kube context does "
                    + "not answer (" + e.getMessage() + "); is the cluster running?" + howTo);
        }
        return Optional.empty();
    }
}
