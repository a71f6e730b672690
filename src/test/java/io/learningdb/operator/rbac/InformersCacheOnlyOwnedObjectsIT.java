package io.learningdb.operator.rbac;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.TreeSet;

import org.junit.jupiter.api.Test;

/**
 * Every list and watch the operator made during the operator tests (recorded in target/rbac-observed/) selects by
 * label, except for its own custom resource and the nodes (whether one is draining): an informer without a selector caches every Service, Secret or
 * ConfigMap of every watched namespace, and the operator's memory grows with objects it does not own.
 */
class InformersCacheOnlyOwnedObjectsIT {

    @Test
    void everyInformerOfAnOwnedKindHasALabelSelector() throws IOException {
        assertThat(OperatorRequests.DIR).isDirectory();
        var unbounded = new TreeSet<String>();
        int informers = 0;
        try (var files = Files.list(OperatorRequests.DIR)) {
            for (Path f : files.toList()) {
                for (String line : Files.readAllLines(f)) {
                    if (!line.startsWith("GET ") || !line.contains("?") || !line.contains("resourceVersion=")) {
                        continue;
                    }
                    String path = line.substring(4, line.indexOf('?'));
                    if (path.matches(".*/namespaces/[^/]+/[^/]+/[^/]+$") || path.endsWith("/learningdatabases")) {
                        continue; // a get by name, or the primary resource itself
                    }
                    if (path.equals("/api/v1/nodes")) {
                        continue; // not owned, one per node, and cached reduced to name, unschedulable and taints
                    }
                    informers++;
                    if (!line.contains("labelSelector=")) {
                        unbounded.add(path);
                    }
                }
            }
        }
        assertThat(informers).as("list/watch requests recorded").isPositive();
        assertThat(unbounded).as("list/watch without a label selector").isEqualTo(new TreeSet<>(List.of()));
    }
}
