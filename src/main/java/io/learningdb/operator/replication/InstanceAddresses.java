package io.learningdb.operator.replication;

import jakarta.enterprise.context.ApplicationScoped;

import io.learningdb.operator.model.LearningDatabase;
import io.learningdb.operator.postgres.Endpoint;
import io.learningdb.operator.resources.Names;

/**
 * How the operator reaches an instance pod: its stable DNS name under the headless service. The operator must run
 * inside the cluster (or with that DNS resolvable) to measure replication; tests replace this bean to point at
 * loopback servers.
 */
@ApplicationScoped
public class InstanceAddresses {

    public Endpoint of(LearningDatabase ldb, String pod) {
        return new Endpoint(pod + "." + Names.serviceHost(ldb, Names.headlessService(ldb)), Names.POSTGRES_PORT);
    }
}
