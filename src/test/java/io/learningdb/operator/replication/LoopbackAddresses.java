package io.learningdb.operator.replication;

import java.util.function.Supplier;

import io.learningdb.operator.model.LearningDatabase;
import io.learningdb.operator.postgres.Endpoint;
import io.learningdb.operator.postgres.LoopbackTopology;

/** The operator reaches pods by their loopback ports instead of pod DNS (tests with a real loopback topology). */
class LoopbackAddresses extends InstanceAddresses {

    private final Supplier<LoopbackTopology> topology;

    LoopbackAddresses(Supplier<LoopbackTopology> topology) {
        this.topology = topology;
    }

    @Override
    public Endpoint of(LearningDatabase ldb, String pod) {
        var i = topology.get().instance(pod);
        return new Endpoint("127.0.0.1", i == null ? 1 : i.port());
    }

    /** The topology's one PgBouncer, whichever pooler pod is asked for. */
    @Override
    public Endpoint ofPooler(LearningDatabase ldb, String pod) {
        int port = topology.get().poolerPort();
        return new Endpoint("127.0.0.1", port == 0 ? 1 : port);
    }
}
