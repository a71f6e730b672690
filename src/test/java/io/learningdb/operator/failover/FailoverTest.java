package io.learningdb.operator.failover;

import io.learningdb.operator.rbac.OperatorRequests;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;

/** The failover scenarios of {@link FailoverScenarios}, run once each as tests. */
@QuarkusTest
@WithKubernetesTestServer(crud = true, setup = OperatorRequests.TestApiServer.class)
class FailoverTest extends FailoverScenarios {
}
