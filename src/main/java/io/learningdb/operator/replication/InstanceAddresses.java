package io.learningdb.operator.replication;

import java.io.IOException;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.LocalPortForward;
import io.learningdb.operator.config.OperatorConfig;
import io.learningdb.operator.model.LearningDatabase;
import io.learningdb.operator.postgres.Endpoint;
import io.learningdb.operator.resources.Names;

/**
 * How the operator reaches an instance pod. In the cluster: the pod's stable DNS name under the headless Service.
 * Outside it ({@code ./mvnw quarkus:dev} against kind or k3d), pod DNS names do not resolve, so each instance is
 * reached through the API server's port-forward to the pod (one local listener per pod, each connection a stream
 * through the API server), and lag, switchover and failover work the same way. {@code learningdb.instance-access}
 * chooses: {@code auto} (the default: port-forward only when not running in a pod), {@code dns} or
 * {@code port-forward}. Tests replace this bean to point at loopback servers.
 */
@ApplicationScoped
public class InstanceAddresses {

    private static final Logger LOG = Logger.getLogger(InstanceAddresses.class);

    public enum Access {
        DNS, PORT_FORWARD
    }

    @Inject
    KubernetesClient client;

    @Inject
    OperatorConfig config;

    /** Set by tests; otherwise learningdb.instance-access. */
    String accessSetting;

    private final Map<String, LocalPortForward> forwards = new ConcurrentHashMap<>();
    private volatile Access access;

    /**
     * The access a setting means here. {@code auto}: DNS inside a pod (kubelet sets KUBERNETES_SERVICE_HOST in every
     * container), port-forward everywhere else.
     */
    public static Access access(String setting, Map<String, String> env) {
        return switch (setting == null ? "auto" : setting.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "dns" -> Access.DNS;
            case "port-forward" -> Access.PORT_FORWARD;
            case "auto", "" -> env.containsKey("KUBERNETES_SERVICE_HOST") ? Access.DNS : Access.PORT_FORWARD;
            default -> throw new IllegalArgumentException("learningdb.instance-access must be auto, dns or port-forward, not '"
                    + setting + "'");
        };
    }

    public Endpoint of(LearningDatabase ldb, String pod) {
        if (access() == Access.DNS) {
            return new Endpoint(pod + "." + Names.serviceHost(ldb, Names.headlessService(ldb)), Names.POSTGRES_PORT);
        }
        return forwarded(ldb, pod, Names.POSTGRES_PORT);
    }

    /** A PgBouncer pod (its admin console), under the pooler's headless Service. */
    public Endpoint ofPooler(LearningDatabase ldb, String pod) {
        if (access() == Access.DNS) {
            return new Endpoint(pod + "." + Names.serviceHost(ldb, Names.poolerHeadlessService(ldb)), Names.POOLER_PORT);
        }
        return forwarded(ldb, pod, Names.POOLER_PORT);
    }

    private Endpoint forwarded(LearningDatabase ldb, String pod, int port) {
        String ns = ldb.getMetadata().getNamespace();
        LocalPortForward forward = forwards.compute(ns + "/" + pod, (key, current) -> {
            if (current != null && current.isAlive() && !current.errorOccurred()) {
                return current;
            }
            if (current != null) {
                closeQuietly(current); // a failed stream (pod restarted, connection reset): a fresh listener
            }
            var opened = client.pods().inNamespace(ns).withName(pod).portForward(port);
            LOG.debugf("%s: port-forward 127.0.0.1:%d -> pod %s:%d", ns, opened.getLocalPort(), pod, port);
            return opened;
        });
        return new Endpoint("127.0.0.1", forward.getLocalPort());
    }

    /** Closes the forwards to a deleted cluster's pods. */
    public void forget(String namespace, String cluster) {
        String prefix = namespace + "/" + cluster + "-";
        forwards.entrySet().removeIf(e -> {
            boolean gone = e.getKey().startsWith(prefix) && !e.getKey().equals(prefix)
                    && e.getKey().substring(prefix.length()).matches("(pooler-)?\\d+");
            if (gone) {
                closeQuietly(e.getValue());
            }
            return gone;
        });
    }

    public Access access() {
        Access a = access;
        if (a == null) {
            a = access(accessSetting != null ? accessSetting : config.instanceAccess(), System.getenv());
            access = a;
            if (a == Access.PORT_FORWARD) {
                LOG.info("not running in a pod: instances are reached through the API server's port-forward "
                        + "(learningdb.instance-access=dns to use pod DNS names instead)");
            }
        }
        return a;
    }

    Optional<LocalPortForward> forward(String namespace, String pod) {
        return Optional.ofNullable(forwards.get(namespace + "/" + pod));
    }

    @PreDestroy
    void close() {
        forwards.values().forEach(InstanceAddresses::closeQuietly);
        forwards.clear();
    }

    private static void closeQuietly(LocalPortForward forward) {
        try {
            forward.close();
        } catch (IOException | RuntimeException e) {
            LOG.debugf("closing a port-forward: %s", e.toString());
        }
    }
}
