package io.learningdb.operator.rbac;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

import io.fabric8.kubernetes.client.KubernetesClient;
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

    @AfterEach
    void recordOperatorRequests() {
        OperatorRequests.drain(server, getClass().getSimpleName());
        client.close();
    }
}
