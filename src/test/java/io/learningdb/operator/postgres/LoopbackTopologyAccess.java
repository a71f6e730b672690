package io.learningdb.operator.postgres;

import io.learningdb.operator.model.LearningDatabase;

/** Test helper: the same running topology seen through another spec (to render other maintenance SQL). */
final class LoopbackTopologyAccess {

    private LoopbackTopologyAccess() {
    }

    static LoopbackTopology withSpec(LoopbackTopology topo, LearningDatabase ldb) {
        return topo.withSpec(ldb);
    }
}
