package io.learningdb.operator.config;

import jakarta.inject.Singleton;

import io.fabric8.kubernetes.client.Config;
import io.quarkus.kubernetes.client.KubernetesConfigCustomizer;

/** The operator identifies itself in API server audit logs (and the test suite tells its requests apart by it). */
@Singleton
public class OperatorUserAgent implements KubernetesConfigCustomizer {

    public static final String NAME = "learningdb-operator";

    @Override
    public void customize(Config config) {
        config.setUserAgent(NAME + "/" + OperatorUserAgent.class.getPackage().getImplementationVersion());
    }
}
