package io.learningdb.operator.resources;

import java.util.Map;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.learningdb.operator.model.LearningDatabase;

/** The four Services: read/write (primary), read-only (replicas), pooled, and the instances' headless service. */
public final class Services {

    private Services() {
    }

    /** With backups, also pgBackRest's TLS server on the primary: the backup job always reads the current primary. */
    public static Service readWrite(LearningDatabase ldb) {
        Service rw = clusterIp(ldb, Names.readWriteService(ldb), Labels.COMPONENT_INSTANCE,
                Labels.roleSelector(ldb, Labels.ROLE_PRIMARY), "postgres", Names.POSTGRES_PORT);
        if (ldb.getSpec().getBackup() != null) {
            rw.getSpec().getPorts().add(new io.fabric8.kubernetes.api.model.ServicePortBuilder().withName(BACKUP_PORT_NAME)
                    .withPort(BackupRepository.SERVER_PORT).withTargetPort(new IntOrString(BACKUP_PORT_NAME)).withProtocol("TCP")
                    .build());
        }
        return rw;
    }

    public static final String BACKUP_PORT_NAME = "pgbackrest";

    public static Service readOnly(LearningDatabase ldb) {
        return clusterIp(ldb, Names.readOnlyService(ldb), Labels.COMPONENT_INSTANCE,
                Labels.roleSelector(ldb, Labels.ROLE_REPLICA), "postgres", Names.POSTGRES_PORT);
    }

    public static Service pooler(LearningDatabase ldb) {
        return clusterIp(ldb, Names.pooler(ldb), Labels.COMPONENT_POOLER,
                Labels.selector(ldb, Labels.COMPONENT_POOLER), "pgbouncer", Names.POOLER_PORT);
    }

    /** Governs the instance StatefulSet; publishes not-ready pods so instances resolve each other while starting. */
    public static Service headless(LearningDatabase ldb) {
        return headless(ldb, Names.headlessService(ldb), Labels.COMPONENT_INSTANCE, "postgres", Names.POSTGRES_PORT);
    }

    /** Governs the pooler StatefulSet (its serviceName must name a headless Service): per-pod DNS for PgBouncer. */
    public static Service poolerHeadless(LearningDatabase ldb) {
        return headless(ldb, Names.poolerHeadlessService(ldb), Labels.COMPONENT_POOLER, "pgbouncer", Names.POOLER_PORT);
    }

    private static Service headless(LearningDatabase ldb, String name, String component, String portName, int port) {
        return new ServiceBuilder()
                .withNewMetadata()
                .withName(name)
                .withNamespace(ldb.getMetadata().getNamespace())
                .withLabels(Labels.forComponent(ldb, component))
                .endMetadata()
                .withNewSpec()
                .withType("ClusterIP")
                .withClusterIP("None")
                .withPublishNotReadyAddresses(true)
                .withSelector(Labels.selector(ldb, component))
                .addNewPort().withName(portName).withPort(port)
                .withTargetPort(new IntOrString(port)).withProtocol("TCP").endPort()
                .endSpec()
                .build();
    }

    private static Service clusterIp(LearningDatabase ldb, String name, String component, Map<String, String> selector,
            String portName, int port) {
        return new ServiceBuilder()
                .withNewMetadata()
                .withName(name)
                .withNamespace(ldb.getMetadata().getNamespace())
                .withLabels(Labels.forComponent(ldb, component))
                .endMetadata()
                .withNewSpec()
                .withType("ClusterIP")
                .withSelector(selector)
                .addNewPort().withName(portName).withPort(port).withTargetPort(new IntOrString(portName))
                .withProtocol("TCP").endPort()
                .endSpec()
                .build();
    }
}
