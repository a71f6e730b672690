package io.learningdb.operator.replication;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

import io.learningdb.operator.postgres.ConnectionPools;

/** The operator's connection pools to instances, shared by lag measurement and failover. */
@ApplicationScoped
public class Databases {

    private final ConnectionPools pools = new ConnectionPools(new ConnectionPools.Timeouts(3, 5));

    public ConnectionPools pools() {
        return pools;
    }

    @PreDestroy
    void close() {
        pools.close();
    }
}
