package io.learningdb.operator.resources;

import java.util.Map;

import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.ProbeBuilder;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.learningdb.operator.model.LearningDatabase;

/** StatefulSet {@code <name>-pooler}: PgBouncer pods in front of {@code <name>-rw}; rolls on config change. */
public final class PoolerStatefulSet {

    public static final String CONTAINER = "pgbouncer";

    private PoolerStatefulSet() {
    }

    /** A new server certificate or CA bundle does not change the template: pooler.sh installs it and reloads. */
    public static StatefulSet build(LearningDatabase ldb, String image, String configHash) {
        var pooler = ldb.getSpec().getPooler();
        var container = new ContainerBuilder()
                .withName(CONTAINER)
                .withImage(image)
                .withImagePullPolicy("IfNotPresent")
                .withCommand("/bin/sh", PoolerConfig.CONFIG_DIR + "/" + PoolerConfig.POOLER_SH)
                .addNewEnv().withName("PGBOUNCER_INI").withValue(PoolerConfig.CONFIG_DIR + "/" + PoolerConfig.PGBOUNCER_INI).endEnv()
                .addNewEnv().withName("TLS_DIR").withValue(PoolerConfig.TLS_DIR).endEnv()
                .addNewEnv().withName("RUN_DIR").withValue(PoolerConfig.RUN_DIR).endEnv()
                .addNewPort().withName("pgbouncer").withContainerPort(Names.POOLER_PORT).withProtocol("TCP").endPort()
                .withReadinessProbe(tcpProbe(5, 3))
                .withLivenessProbe(tcpProbe(10, 6))
                .withSecurityContext(PodSecurity.container())
                .addNewVolumeMount().withName("config").withMountPath(PoolerConfig.CONFIG_DIR).withReadOnly(true).endVolumeMount()
                .addNewVolumeMount().withName("auth").withMountPath(PoolerConfig.AUTH_DIR).withReadOnly(true).endVolumeMount()
                .addNewVolumeMount().withName("run").withMountPath(PoolerConfig.RUN_DIR).endVolumeMount();
        if (TlsSecrets.enabled(ldb)) {
            container.addNewVolumeMount().withName("tls").withMountPath(PoolerConfig.TLS_DIR).withReadOnly(true).endVolumeMount();
        }
        if (pooler.getResources() != null) {
            container.withResources(pooler.getResources());
        }
        return new StatefulSetBuilder()
                .withNewMetadata()
                .withName(Names.pooler(ldb))
                .withNamespace(ldb.getMetadata().getNamespace())
                .withLabels(Labels.forComponent(ldb, Labels.COMPONENT_POOLER))
                .endMetadata()
                .withNewSpec()
                .withReplicas(pooler.getInstances())
                .withServiceName(Names.poolerHeadlessService(ldb))
                .withPodManagementPolicy("Parallel")
                .withNewUpdateStrategy().withType("RollingUpdate").endUpdateStrategy()
                .withNewSelector().withMatchLabels(Labels.selector(ldb, Labels.COMPONENT_POOLER)).endSelector()
                .withNewTemplate()
                .withNewMetadata()
                .withLabels(Labels.forComponent(ldb, Labels.COMPONENT_POOLER))
                .withAnnotations(Labels.podAnnotations(configHash))
                .endMetadata()
                .withNewSpec()
                // what the StatefulSet controller sets from serviceName anyway; written here so a StatefulSet
                // re-created on the headless Service (see PoolerStatefulSetDependent) rolls the pods it adopts
                .withSubdomain(Names.poolerHeadlessService(ldb))
                .withAutomountServiceAccountToken(false)
                .withEnableServiceLinks(false)
                .withSecurityContext(PodSecurity.pod(PodSecurity.POOLER_UID))
                .withAffinity(Scheduling.spreadAcrossNodes(Labels.selector(ldb, Labels.COMPONENT_POOLER)))
                .withContainers(container.build())
                .withVolumes(volumes(ldb))
                .endSpec()
                .endTemplate()
                .endSpec()
                .build();
    }

    private static java.util.List<io.fabric8.kubernetes.api.model.Volume> volumes(LearningDatabase ldb) {
        var volumes = new java.util.ArrayList<io.fabric8.kubernetes.api.model.Volume>(java.util.List.of(
                        new VolumeBuilder().withName("config")
                                .withNewConfigMap().withName(Names.poolerConfig(ldb)).withDefaultMode(0444).endConfigMap()
                                .build(),
                        new VolumeBuilder().withName("auth")
                                .withNewSecret().withSecretName(Names.poolerAuthSecret(ldb)).withDefaultMode(0440)
                                .addNewItem().withKey(PoolerConfig.USERLIST).withPath(PoolerConfig.USERLIST).endItem()
                                .endSecret()
                                .build(),
                        new VolumeBuilder().withName("run")
                                .withNewEmptyDir().withMedium("Memory").withNewSizeLimit("16Mi").endEmptyDir().build()));
        if (TlsSecrets.enabled(ldb)) {
            volumes.add(new VolumeBuilder().withName("tls")
                    .withNewSecret().withSecretName(TlsSecrets.serverSecret(ldb)).withDefaultMode(0440).endSecret().build());
        }
        return volumes;
    }

    private static Probe tcpProbe(int period, int failureThreshold) {
        return new ProbeBuilder()
                .withNewTcpSocket().withNewPort(Names.POOLER_PORT).endTcpSocket()
                .withPeriodSeconds(period)
                .withTimeoutSeconds(3)
                .withFailureThreshold(failureThreshold)
                .build();
    }
}
