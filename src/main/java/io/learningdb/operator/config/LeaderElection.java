package io.learningdb.operator.config;

import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;

/**
 * One active operator among the Deployment's replicas: a Lease {@code learningdb-operator-lock} in the operator's
 * namespace. QOSDK uses this bean in the prod profile only (quarkus.operator-sdk.activate-leader-election-for-profiles),
 * so dev mode and tests run without it. Standby replicas take over within the lease duration (15 s by default).
 */
public class LeaderElection {

    public static final String LEASE = "learningdb-operator-lock";

    @Produces
    @Singleton
    LeaderElectionConfiguration leaderElection(OperatorConfig config) {
        return new LeaderElectionConfiguration(LEASE, config.operatorNamespace().orElse(null));
    }
}
