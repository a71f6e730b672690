package io.learningdb.operator.rbac;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

import java.util.function.Consumer;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.learningdb.operator.model.LearningDatabase;
import io.quarkus.test.kubernetes.client.KubernetesServer;
import io.quarkus.test.kubernetes.client.KubernetesTestServer;

/**
 * Base of the tests that run the operator against the mock API server: test code acts through {@link #client}
 * (its own user agent), and after each test the operator's requests are recorded for RbacDerivedFromCodeIT.
 * Subclasses carry {@code @QuarkusTest @WithKubernetesTestServer(crud = true, setup = OperatorRequests.TestApiServer.class)}.
 */
public abstract class OperatorTest {

    @KubernetesTestServer
    protected KubernetesServer server;

    protected KubernetesClient client;

    @BeforeEach
    void testClient() {
        client = OperatorRequests.testClient(server);
    }

    /**
     * A change of a LearningDatabase as kubectl edit makes it: read, change, write; again on a 409 (the operator wrote
     * its status in between, and the strict test API server refuses a stale resourceVersion like kube-apiserver).
     */
    protected void updateLearningDatabase(String namespace, String name, Consumer<LearningDatabase> change) {
        for (int attempt = 0;; attempt++) {
            var ldb = client.resources(LearningDatabase.class).inNamespace(namespace).withName(name).get();
            change.accept(ldb);
            try {
                client.resource(ldb).update();
                return;
            } catch (KubernetesClientException e) {
                if (e.getCode() != 409 || attempt > 20) {
                    throw e;
                }
            }
        }
    }

    /**
     * A status change as a reconcile of the operator writes it (an intent it records), from the latest version; again
     * on a 409. A status write brings no reconcile: follow it with an edit when the operator must act on it now.
     */
    protected void updateLearningDatabaseStatus(String namespace, String name, Consumer<LearningDatabase> change) {
        for (int attempt = 0;; attempt++) {
            var ldb = client.resources(LearningDatabase.class).inNamespace(namespace).withName(name).get();
            change.accept(ldb);
            try {
                client.resource(ldb).updateStatus();
                return;
            } catch (KubernetesClientException e) {
                if (e.getCode() != 409 || attempt > 20) {
                    throw e;
                }
            }
        }
    }

    @AfterEach
    void recordOperatorRequests() {
        OperatorRequests.drain(server, getClass().getSimpleName());
        client.close();
    }
}
