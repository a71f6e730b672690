package io.learningdb.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.learningdb.operator.model.LearningDatabase;
import io.learningdb.operator.model.LearningDatabaseStatus.Phase;
import io.learningdb.operator.resources.Labels;
import io.learningdb.operator.status.Conditions;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.junit.QuarkusTest;
import io.learningdb.operator.rbac.OperatorRequests;
import io.learningdb.operator.testapi.StrictApiServer;
import io.learningdb.operator.rbac.OperatorTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;

/** The operator really starts against the CRUD mock API server; assertions are what a user would check. */
@QuarkusTest
@WithKubernetesTestServer(crud = true, setup = OperatorRequests.TestApiServer.class)
class LearningDatabaseReconcilerTest extends OperatorTest {

    static final Duration TIMEOUT = Duration.ofSeconds(30);

    @Inject
    MeterRegistry meters;

    public static LearningDatabase ldb(String namespace, String name, String specYaml) {
        String yaml = """
                apiVersion: learningdb.io/v1alpha1
                kind: LearningDatabase
                metadata:
                  name: %s
                  namespace: %s
                spec:
                %s
                """.formatted(name, namespace, specYaml.indent(2));
        return client().getKubernetesSerialization().unmarshal(yaml, LearningDatabase.class);
    }

    private static KubernetesClient client() {
        return io.quarkus.arc.Arc.container().instance(KubernetesClient.class).get();
    }

    LearningDatabase get(String ns, String name) {
        return client.resources(LearningDatabase.class).inNamespace(ns).withName(name).get();
    }

    Optional<Condition> condition(String ns, String name, String type) {
        var ldb = get(ns, name);
        return ldb == null || ldb.getStatus() == null ? Optional.empty()
                : Conditions.find(ldb.getStatus().getConditions(), type);
    }

    <T extends HasMetadata> T awaitObject(Class<T> type, String ns, String name) {
        return await().atMost(TIMEOUT).until(() -> client.resources(type).inNamespace(ns).withName(name).get(),
                r -> r != null);
    }

    @Test
    void networkPoliciesAndTlsFollowTheSpecAndDriftIsRepaired() {
        String ns = "netpol";
        client.resource(ldb(ns, "net", "replicas: 1\n")).create();
        NetworkPolicy instances = awaitObject(NetworkPolicy.class, ns, "net");
        assertThat(instances.getSpec().getPodSelector().getMatchLabels())
                .isEqualTo(Map.of(Labels.CLUSTER, "net", Labels.COMPONENT, "instance"));
        var from = instances.getSpec().getIngress().get(0).getFrom();
        // the cluster's own pods (instances, pooler, maintenance jobs) and the operator's pods
        assertThat(from).anySatisfy(p -> assertThat(p.getPodSelector().getMatchLabels()).isEqualTo(Map.of(Labels.CLUSTER, "net")));
        assertThat(from).anySatisfy(p -> assertThat(p.getPodSelector().getMatchLabels())
                .containsEntry("app.kubernetes.io/name", "learningdb-operator"));
        assertThat(instances.getSpec().getIngress().get(0).getPorts().get(0).getPort().getIntVal()).isEqualTo(5432);
        NetworkPolicy pooler = awaitObject(NetworkPolicy.class, ns, "net-pooler");
        // every pod of the namespace, and the operator (RECONNECT on the admin console when the primary changes)
        assertThat(pooler.getSpec().getIngress().get(0).getFrom()).hasSize(2)
                .anySatisfy(p -> {
                    assertThat(p.getPodSelector().getMatchLabels()).isNullOrEmpty();
                    assertThat(p.getNamespaceSelector()).isNull();
                })
                .anySatisfy(p -> assertThat(p.getPodSelector().getMatchLabels())
                        .containsEntry("app.kubernetes.io/name", "learningdb-operator"));

        // TLS: the server certificate covers the services and is what both StatefulSets mount (a new one is reloaded
        // by the pods, so the templates do not name it: a certificate never rolls a pod)
        Secret tls = awaitObject(Secret.class, ns, "net-tls");
        assertThat(tls.getType()).isEqualTo("kubernetes.io/tls");
        assertThat(tls.getData()).containsKeys("tls.crt", "tls.key", "ca.crt");
        var instanceTemplate = awaitObject(StatefulSet.class, ns, "net").getSpec().getTemplate();
        var poolerTemplate = awaitObject(StatefulSet.class, ns, "net-pooler").getSpec().getTemplate();
        assertThat(instanceTemplate.getSpec().getVolumes()).extracting(v -> v.getSecret() == null ? null : v.getSecret().getSecretName())
                .contains("net-tls");
        assertThat(poolerTemplate.getSpec().getVolumes()).extracting(v -> v.getSecret() == null ? null : v.getSecret().getSecretName())
                .contains("net-tls");

        // admitting another namespace's applications to the pooler updates its policy
        client.resources(LearningDatabase.class).inNamespace(ns).withName("net").edit(l -> {
            var peer = new io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeerBuilder()
                    .withNewNamespaceSelector().addToMatchLabels("team", "web").endNamespaceSelector().build();
            l.getSpec().getNetworkPolicy().setPoolerFrom(List.of(peer));
            return l;
        });
        await().atMost(TIMEOUT).untilAsserted(() -> assertThat(client.network().v1().networkPolicies().inNamespace(ns)
                .withName("net-pooler").get().getSpec().getIngress().get(0).getFrom()).hasSize(2)
                .anySatisfy(p -> assertThat(p.getNamespaceSelector().getMatchLabels()).isEqualTo(Map.of("team", "web")))
                .noneSatisfy(p -> assertThat(p.getPodSelector()).isNotNull().satisfies(
                        sel -> assertThat(sel.getMatchLabels()).isNullOrEmpty())));

        // someone edits owned objects by hand: the operator puts them back
        client.services().inNamespace(ns).withName("net-rw").edit(svc -> {
            svc.getSpec().getSelector().put(Labels.ROLE, "replica");
            return svc;
        });
        client.policy().v1().podDisruptionBudget().inNamespace(ns).withName("net").edit(pdb -> {
            pdb.getSpec().setMaxUnavailable(new io.fabric8.kubernetes.api.model.IntOrString(3));
            return pdb;
        });
        client.resources(LearningDatabase.class).inNamespace(ns).withName("net").edit(l -> {
            l.getSpec().setReplicas(2); // any spec change triggers a reconcile that sees the drift
            return l;
        });
        await().atMost(TIMEOUT).untilAsserted(() -> {
            assertThat(client.services().inNamespace(ns).withName("net-rw").get().getSpec().getSelector())
                    .containsEntry(Labels.ROLE, "primary");
            assertThat(client.policy().v1().podDisruptionBudget().inNamespace(ns).withName("net").get()
                    .getSpec().getMaxUnavailable().getIntVal()).isEqualTo(1);
        });

        // a server certificate the CA did not sign (or one about to expire) is re-issued; the pods reload it, the
        // templates stay as they are
        var foreign = io.learningdb.operator.resources.Certificates.newServer(
                io.learningdb.operator.resources.Certificates.newCa("someone else", java.time.Instant.now()),
                List.of("net-rw"), java.time.Instant.now());
        client.secrets().inNamespace(ns).withName("net-tls").edit(sec -> {
            sec.getData().put("tls.crt", java.util.Base64.getEncoder().encodeToString(foreign.certificate().getBytes()));
            return sec;
        });
        client.resources(LearningDatabase.class).inNamespace(ns).withName("net").edit(l -> {
            l.getSpec().setReplicas(1);
            return l;
        });
        await().atMost(TIMEOUT).untilAsserted(() -> {
            Secret reissued = client.secrets().inNamespace(ns).withName("net-tls").get();
            String cert = io.learningdb.operator.resources.TlsSecrets.decode(reissued, "tls.crt");
            assertThat(cert).isNotEqualTo(foreign.certificate());
            assertThat(io.learningdb.operator.resources.Certificates.stillGood(cert,
                    io.learningdb.operator.resources.TlsSecrets.decode(reissued, "ca.crt"),
                    io.learningdb.operator.resources.TlsSecrets.serverNames(get(ns, "net")), java.time.Instant.now())).isTrue();
        });
        assertThat(client.apps().statefulSets().inNamespace(ns).withName("net").get().getSpec().getTemplate()
                .getMetadata().getAnnotations()).isEqualTo(instanceTemplate.getMetadata().getAnnotations());
        assertThat(client.apps().statefulSets().inNamespace(ns).withName("net-pooler").get().getSpec().getTemplate()
                .getMetadata().getAnnotations()).isEqualTo(poolerTemplate.getMetadata().getAnnotations());

        // turning the policies and TLS off removes the policies and the pods' TLS volume; the CA and certificate stay,
        // so turning TLS back on serves the CA clients already trust
        client.resources(LearningDatabase.class).inNamespace(ns).withName("net").edit(l -> {
            l.getSpec().getNetworkPolicy().setEnabled(false);
            l.getSpec().getTls().setEnabled(false);
            return l;
        });
        System.out.println("AFTER-DISABLE " + client.getKubernetesSerialization().asJson(get(ns, "net").getSpec()));
        await().atMost(TIMEOUT).untilAsserted(() -> {
            assertThat(client.network().v1().networkPolicies().inNamespace(ns).list().getItems()).isEmpty();
            assertThat(client.secrets().inNamespace(ns).withName("net-tls").get()).isNotNull();
            assertThat(client.secrets().inNamespace(ns).withName("net-ca").get()).isNotNull();
            assertThat(client.apps().statefulSets().inNamespace(ns).withName("net").get().getSpec().getTemplate()
                    .getSpec().getVolumes()).noneMatch(v -> v.getName().equals("tls"));
        });
    }

    @Test
    void provisionsTheWholeTopologyWithOwnerReferencesLabelsAndSelectors() {
        String ns = "topology";
        var created = client.resource(ldb(ns, "courses", "replicas: 2\n")).create();
        String uid = created.getMetadata().getUid();

        List<HasMetadata> owned = new ArrayList<>();
        for (String s : List.of("courses-superuser", "courses-replication", "courses-app", "courses-pooler-auth")) {
            owned.add(awaitObject(Secret.class, ns, s));
        }
        for (String c : List.of("courses-postgres-config", "courses-pooler-config", "courses-scripts")) {
            owned.add(awaitObject(ConfigMap.class, ns, c));
        }
        for (String s : List.of("courses-rw", "courses-ro", "courses-pooler", "courses-instances")) {
            owned.add(awaitObject(Service.class, ns, s));
        }
        StatefulSet instances = awaitObject(StatefulSet.class, ns, "courses");
        StatefulSet pooler = awaitObject(StatefulSet.class, ns, "courses-pooler");
        owned.add(instances);
        owned.add(pooler);
        owned.add(awaitObject(PodDisruptionBudget.class, ns, "courses"));
        PodDisruptionBudget primaryBudget = awaitObject(PodDisruptionBudget.class, ns, "courses-primary");
        owned.add(primaryBudget);
        owned.add(awaitObject(Secret.class, ns, "courses-ca"));
        owned.add(awaitObject(Secret.class, ns, "courses-tls"));
        owned.add(awaitObject(NetworkPolicy.class, ns, "courses"));
        owned.add(awaitObject(NetworkPolicy.class, ns, "courses-pooler"));

        for (HasMetadata o : owned) {
            assertThat(o.getMetadata().getOwnerReferences()).as(o.getKind() + " " + o.getMetadata().getName())
                    .singleElement().satisfies(ref -> {
                        assertThat(ref.getUid()).isEqualTo(uid);
                        assertThat(ref.getKind()).isEqualTo("LearningDatabase");
                        assertThat(ref.getController()).isTrue();
                    });
            assertThat(o.getMetadata().getLabels())
                    .containsEntry(Labels.CLUSTER, "courses")
                    .containsEntry(Labels.NAME, "learningdb")
                    .containsEntry(Labels.INSTANCE, "courses")
                    .containsEntry(Labels.MANAGED_BY, "learningdb-operator");
        }

        // a drain may take one instance at a time, never the primary (the operator switches over first)
        assertThat(primaryBudget.getSpec().getMaxUnavailable().getIntVal()).isZero();
        assertThat(primaryBudget.getSpec().getSelector().getMatchLabels())
                .isEqualTo(Map.of(Labels.CLUSTER, "courses", Labels.COMPONENT, "instance", Labels.ROLE, Labels.ROLE_PRIMARY));

        assertThat(instances.getSpec().getReplicas()).isEqualTo(3);
        assertThat(instances.getSpec().getUpdateStrategy().getType()).isEqualTo("OnDelete");
        assertThat(instances.getSpec().getServiceName()).isEqualTo("courses-instances");
        assertThat(instances.getSpec().getSelector().getMatchLabels())
                .isEqualTo(Map.of(Labels.CLUSTER, "courses", Labels.COMPONENT, "instance"));
        assertThat(instances.getSpec().getVolumeClaimTemplates()).singleElement()
                .satisfies(pvc -> assertThat(pvc.getSpec().getResources().getRequests().get("storage").toString())
                        .isEqualTo("10Gi"));
        assertThat(instances.getSpec().getTemplate().getMetadata().getAnnotations()).containsKey(Labels.CONFIG_HASH);
        assertThat(pooler.getSpec().getReplicas()).isEqualTo(2);

        Service rw = client.services().inNamespace(ns).withName("courses-rw").get();
        assertThat(rw.getSpec().getSelector()).containsEntry(Labels.ROLE, "primary").containsEntry(Labels.CLUSTER, "courses");
        assertThat(rw.getSpec().getPorts()).singleElement().satisfies(p -> assertThat(p.getPort()).isEqualTo(5432));
        Service ro = client.services().inNamespace(ns).withName("courses-ro").get();
        assertThat(ro.getSpec().getSelector()).containsEntry(Labels.ROLE, "replica");
        Service pool = client.services().inNamespace(ns).withName("courses-pooler").get();
        assertThat(pool.getSpec().getSelector()).containsEntry(Labels.COMPONENT, "pooler");
        Service headless = client.services().inNamespace(ns).withName("courses-instances").get();
        assertThat(headless.getSpec().getClusterIP()).isEqualTo("None");

        // the StatefulSet controller creates pods; the operator labels pod 0 primary and the others replica
        var sts = new FakeStatefulSetController(client);
        sts.run(ns, "courses", false);
        sts.run(ns, "courses-pooler", true);
        await().atMost(TIMEOUT).untilAsserted(() -> {
            assertThat(role(ns, "courses-0")).isEqualTo("primary");
            assertThat(role(ns, "courses-1")).isEqualTo("replica");
            assertThat(role(ns, "courses-2")).isEqualTo("replica");
        });
        assertThat(get(ns, "courses").getStatus().getPhase()).isEqualTo(Phase.Provisioning);

        sts.run(ns, "courses", true);
        await().atMost(TIMEOUT).untilAsserted(() -> {
            var status = get(ns, "courses").getStatus();
            assertThat(status.getPhase()).isIn(Phase.Ready);
            assertThat(status.getPrimary()).isEqualTo("courses-0");
            assertThat(status.getReplicaReadiness()).isEqualTo("2/2");
            assertThat(status.getInstances()).extracting(i -> i.getName() + ":" + i.getRole() + ":" + i.isReady())
                    .containsExactly("courses-0:primary:true", "courses-1:replica:true", "courses-2:replica:true");
            assertThat(status.getEndpoints().getPooler()).isEqualTo("courses-pooler.topology.svc:5432");
            assertThat(status.getObservedGeneration()).isEqualTo(get(ns, "courses").getMetadata().getGeneration());
            assertThat(condition(ns, "courses", Conditions.READY)).get()
                    .satisfies(c -> assertThat(c.getStatus()).isEqualTo("True"));
        });
        assertThat(events(ns, "courses")).extracting(Event::getReason).contains("PrimaryAssigned", "AllInstancesReady");

        // a replica goes down: Degraded, Ready=False with the reason, and a Warning event
        sts.setReady(ns, "courses-2", false);
        await().atMost(TIMEOUT).untilAsserted(() -> {
            assertThat(get(ns, "courses").getStatus().getPhase()).isEqualTo(Phase.Degraded);
            assertThat(condition(ns, "courses", Conditions.READY)).get()
                    .satisfies(c -> assertThat(c.getReason()).isEqualTo("ReplicasNotReady"));
            assertThat(events(ns, "courses")).anySatisfy(e -> {
                assertThat(e.getReason()).isEqualTo("ReplicasNotReady");
                assertThat(e.getType()).isEqualTo("Warning");
            });
        });

        // without replicas nobody can take over: the primary's budget goes (a drain then stops it, as it must)
        client.resources(LearningDatabase.class).inNamespace(ns).withName("courses").edit(l -> {
            l.getSpec().setReplicas(0);
            return l;
        });
        await().atMost(TIMEOUT).until(() -> client.policy().v1().podDisruptionBudget().inNamespace(ns)
                .withName("courses-primary").get() == null);
        assertThat(client.policy().v1().podDisruptionBudget().inNamespace(ns).withName("courses").get()).isNotNull();
    }

    @Test
    void specChangesReachTheStatefulSetAndConfigButAParameterRollsNoPodAndSecretsNeverChange() {
        String ns = "changes";
        client.resource(ldb(ns, "quiz", "replicas: 1\n")).create();
        StatefulSet before = awaitObject(StatefulSet.class, ns, "quiz");
        ConfigMap configBefore = awaitObject(ConfigMap.class, ns, "quiz-postgres-config");
        Secret appBefore = awaitObject(Secret.class, ns, "quiz-app");
        String hashBefore = before.getSpec().getTemplate().getMetadata().getAnnotations().get(Labels.CONFIG_HASH);

        updateLearningDatabase(ns, "quiz", ldb -> {
            ldb.getSpec().setReplicas(3);
            ldb.getSpec().getPostgres().getParameters().put("work_mem", "64MB");
        });

        await().atMost(TIMEOUT).untilAsserted(() -> {
            StatefulSet after = client.apps().statefulSets().inNamespace(ns).withName("quiz").get();
            assertThat(after.getSpec().getReplicas()).isEqualTo(4);
            // reloaded by instance.sh, not rolled: only what PostgreSQL reports pending a restart restarts an instance
            assertThat(after.getSpec().getTemplate().getMetadata().getAnnotations().get(Labels.CONFIG_HASH))
                    .isEqualTo(hashBefore);
            ConfigMap config = client.configMaps().inNamespace(ns).withName("quiz-postgres-config").get();
            assertThat(config.getData().get("postgresql.conf")).contains("work_mem = '64MB'");
        });
        assertThat(configBefore.getData().get("postgresql.conf")).doesNotContain("work_mem");
        assertThat(client.secrets().inNamespace(ns).withName("quiz-app").get().getData())
                .isEqualTo(appBefore.getData());
    }

    /**
     * A storage change that slipped past admission (created without a postgres block, as on a CRD without the
     * defaulted blocks, or a server without CEL) must not become a StatefulSet update kube-apiserver refuses: the
     * strict test API server answers such an update with 422, exactly like production. The operator keeps the
     * volumeClaimTemplates, applies everything else, and says what it did not apply.
     */
    @Test
    void aStorageChangeTheApiServerForbidsIsReportedNotSent() {
        String ns = "forbidden";
        client.resource(ldb(ns, "lab", "replicas: 1\n")).create();
        StatefulSet before = awaitObject(StatefulSet.class, ns, "lab");
        updateLearningDatabase(ns, "lab", ldb -> {
            ldb.getSpec().getPostgres().getStorage().setSize("20Gi");
            ldb.getSpec().getPostgres().getStorage().setStorageClassName("fast");
            ldb.getSpec().getPostgres().getParameters().put("work_mem", "32MB");
        });

        await().atMost(TIMEOUT).untilAsserted(() -> {
            var applied = condition(ns, "lab", Conditions.SPEC_APPLIED);
            assertThat(applied).hasValueSatisfying(c -> {
                assertThat(c.getStatus()).isEqualTo("False");
                assertThat(c.getReason()).isEqualTo(Conditions.UNSUPPORTED_CHANGE);
                assertThat(c.getMessage()).contains("volumeClaimTemplates");
            });
            // the rest of the change is applied
            assertThat(client.configMaps().inNamespace(ns).withName("lab-postgres-config").get().getData()
                    .get("postgresql.conf")).contains("work_mem = '32MB'");
        });
        StatefulSet after = client.apps().statefulSets().inNamespace(ns).withName("lab").get();
        assertThat(after.getSpec().getVolumeClaimTemplates()).isEqualTo(before.getSpec().getVolumeClaimTemplates());
        assertThat(events(ns, "lab")).extracting(Event::getReason).contains(Conditions.UNSUPPORTED_CHANGE);
        // no apply error: nothing the API server refused was sent
        assertThat(condition(ns, "lab", Conditions.READY).orElseThrow().getMessage()).doesNotContain("applying");
    }

    @Test
    void aPoolerStatefulSetOnAnEarlierServiceIsRecreatedOnTheHeadlessOneWithoutDeletingItsPods() {
        String ns = "pooler-upgrade";
        client.resource(ldb(ns, "up", "replicas: 1\n")).create();
        StatefulSet current = awaitObject(StatefulSet.class, ns, "up-pooler");
        assertThat(current.getSpec().getServiceName()).isEqualTo("up-pooler-pods");
        // as an earlier version created it: governed by the normal Service up-pooler, no subdomain in the template
        // (kube-apiserver forbids this change, so the test server must be told it is the stored state)
        StrictApiServer.allowOneWriteAsAnEarlierVersion("/apis/apps/v1/namespaces/" + ns + "/statefulsets/up-pooler");
        drainRequests();
        client.apps().statefulSets().inNamespace(ns).withName("up-pooler").edit(s -> {
            s.getSpec().setServiceName("up-pooler");
            s.getSpec().getTemplate().getSpec().setSubdomain(null);
            return s;
        });

        await().atMost(TIMEOUT).untilAsserted(() -> {
            StatefulSet sts = client.apps().statefulSets().inNamespace(ns).withName("up-pooler").get();
            assertThat(sts).isNotNull();
            assertThat(sts.getSpec().getServiceName()).isEqualTo("up-pooler-pods");
            assertThat(sts.getSpec().getTemplate().getSpec().getSubdomain()).isEqualTo("up-pooler-pods");
        });
        // deleted with its pods orphaned (they keep serving until the new StatefulSet rolls them), never updated
        var writes = drainRequests().stream()
                .filter(r -> r.getHeader("User-Agent") != null
                        && r.getHeader("User-Agent").startsWith(io.learningdb.operator.config.OperatorUserAgent.NAME))
                .filter(r -> r.getPath().contains("/statefulsets/up-pooler")
                || (r.getPath().endsWith("/statefulsets") && "POST".equals(r.getMethod()))).toList();
        assertThat(writes).anySatisfy(r -> {
            assertThat(r.getMethod()).isEqualTo("DELETE");
            assertThat(new String(r.getBody().getBytes(), java.nio.charset.StandardCharsets.UTF_8)).contains("\"propagationPolicy\":\"Orphan\"");
        });
        assertThat(writes).noneMatch(r -> "PUT".equals(r.getMethod()) || "PATCH".equals(r.getMethod()));
        // the instance StatefulSet is never replaced this way
        assertThat(client.apps().statefulSets().inNamespace(ns).withName("up").get().getMetadata().getUid())
                .isNotNull();
    }

    @Test
    void anImageChangeRestartsReplicasOneAtATimeAndNeverThePrimaryWithoutASwitchover() throws Exception {
        String ns = "rolling";
        client.resource(ldb(ns, "roll", "replicas: 2\n")).create();
        awaitObject(StatefulSet.class, ns, "roll");
        awaitObject(StatefulSet.class, ns, "roll-pooler");
        var sts = new FakeStatefulSetController(client);
        sts.run(ns, "roll", true);
        sts.run(ns, "roll-pooler", true);
        await().atMost(TIMEOUT).until(() -> get(ns, "roll").getStatus() != null && "roll-0".equals(role(ns, "roll-0") == null ? null
                : "primary".equals(role(ns, "roll-0")) ? "roll-0" : null));
        Thread.sleep(1000);
        assertThat(client.pods().inNamespace(ns).list().getItems()).hasSize(5); // nothing restarts without a change

        updateLearningDatabase(ns, "roll", ldb -> ldb.getSpec().getPostgres().getParameters().put("random_page_cost", "1.1"));
        // a parameter is reloaded by the instances: no pod is deleted for it
        await().atMost(TIMEOUT).until(() -> client.configMaps().inNamespace(ns).withName("roll-postgres-config").get()
                .getData().get("postgresql.conf").contains("random_page_cost"));
        Thread.sleep(2000);
        assertThat(client.pods().inNamespace(ns).list().getItems()).hasSize(5);

        updateLearningDatabase(ns, "roll", ldb -> ldb.getSpec().getPostgres().setImage("registry.example/postgres:15.99"));
        // the lowest replica goes first; the others wait
        await().atMost(TIMEOUT).until(() -> client.pods().inNamespace(ns).withName("roll-1").get() == null);
        assertThat(client.pods().inNamespace(ns).withName("roll-2").get()).isNotNull();
        assertThat(client.pods().inNamespace(ns).withName("roll-0").get()).isNotNull();
        sts.createMissing(ns, "roll");
        Thread.sleep(2000); // roll-1 is not ready yet: roll-2 must not be touched
        assertThat(client.pods().inNamespace(ns).withName("roll-2").get()).isNotNull();
        sts.setReady(ns, "roll-1", true);
        await().atMost(TIMEOUT).until(() -> client.pods().inNamespace(ns).withName("roll-2").get() == null);
        sts.createMissing(ns, "roll");
        sts.setReady(ns, "roll-2", true);
        // only the primary is outdated now: the operator switches over instead of deleting it (here the switchover
        // cannot reach a database and is rejected, which leaves the primary running)
        await().atMost(TIMEOUT).untilAsserted(() -> assertThat(events(ns, "roll")).extracting(Event::getReason)
                .contains("RollingUpdate", "RollingUpdateSwitchover", "SwitchoverRejected"));
        assertThat(client.pods().inNamespace(ns).withName("roll-0").get()).isNotNull();
        assertThat(role(ns, "roll-0")).isEqualTo("primary");
    }

    @Test
    void steadyStateMakesNoWritesToTheApiServer() throws Exception {
        String ns = "steady";
        client.resource(ldb(ns, "forum", "replicas: 1\n")).create();
        awaitObject(StatefulSet.class, ns, "forum-pooler");
        awaitObject(StatefulSet.class, ns, "forum");
        var sts = new FakeStatefulSetController(client);
        sts.run(ns, "forum", true);
        sts.run(ns, "forum-pooler", true);
        await().atMost(TIMEOUT).until(() -> get(ns, "forum").getStatus() != null
                && get(ns, "forum").getStatus().getPhase() == Phase.Ready);
        // no database behind the mock pods: lag measurement settles on DatabaseUnreachable (pod DNS does not resolve)
        await().atMost(TIMEOUT).until(() -> condition(ns, "forum", Conditions.REPLICATION_HEALTHY)
                .map(c -> "DatabaseUnreachable".equals(c.getReason())).orElse(false));
        // let in-flight reconciles finish, then forget every request so far
        Thread.sleep(2000);
        drainRequests();
        double reconcilesBefore = meters.counter("learningdb_reconciles_total").count();

        // an event that triggers a reconcile but changes nothing the operator manages
        var pod = client.pods().inNamespace(ns).withName("forum-1").get();
        pod.getMetadata().getLabels().put("touched", "yes");
        client.pods().inNamespace(ns).resource(pod).update();
        await().atMost(TIMEOUT).until(() -> meters.counter("learningdb_reconciles_total").count() > reconcilesBefore);
        Thread.sleep(2000);

        List<String> writes = drainRequests().stream()
                .filter(r -> !r.getMethod().equals("GET"))
                .map(r -> r.getMethod() + " " + r.getPath())
                .filter(r -> !r.contains("/pods/forum-1")) // the test's own touch
                // this cluster's writes: clusters of other tests share the API server and may still be converging
                .filter(r -> r.contains("/namespaces/" + ns + "/"))
                .toList();
        assertThat(writes).as("API writes during a reconcile with nothing to change").isEmpty();
    }

    @Inject
    LearningDatabaseReconciler reconciler;

    @Test
    void aDeletedClusterLeavesNothingBehindInTheOperator() {
        // clusters are created and deleted all day (a review environment per branch): what the operator keeps per
        // cluster between reconciles must go with it, or it grows without end and a cluster created again under the
        // same name inherits it
        String ns = "churn";
        client.resource(ldb(ns, "review", "replicas: 1\n")).create();
        awaitObject(StatefulSet.class, ns, "review-pooler");
        awaitObject(StatefulSet.class, ns, "review");
        var sts = new FakeStatefulSetController(client);
        sts.run(ns, "review", true);
        sts.run(ns, "review-pooler", true);
        await().atMost(TIMEOUT).until(() -> reconciler.tracked().contains(ns + "/review"));

        client.resources(LearningDatabase.class).inNamespace(ns).withName("review").delete();
        await().atMost(TIMEOUT).untilAsserted(() -> assertThat(reconciler.tracked()).doesNotContain(ns + "/review"));
    }

    @Test
    void invalidSpecGetsAConditionAndAnEventAndTheOperatorKeepsRunning() {
        String ns = "invalid";
        // the mock server has no CEL admission: this is what an object that bypassed the CRD rules looks like
        client.resource(ldb(ns, "broken", """
                replicas: 99
                postgres:
                  parameters:
                    wal_level: minimal
                """)).create();
        await().atMost(TIMEOUT).untilAsserted(() -> {
            var status = get(ns, "broken").getStatus();
            assertThat(status.getPhase()).isEqualTo(Phase.Failed);
            assertThat(condition(ns, "broken", Conditions.READY)).get().satisfies(c -> {
                assertThat(c.getStatus()).isEqualTo("False");
                assertThat(c.getReason()).isEqualTo("InvalidSpec");
                assertThat(c.getMessage()).contains("replicas must be between 0 and 15")
                        .contains("postgres.parameters.wal_level is managed by the operator");
            });
            assertThat(events(ns, "broken")).anySatisfy(e -> {
                assertThat(e.getReason()).isEqualTo("InvalidSpec");
                assertThat(e.getType()).isEqualTo("Warning");
            });
        });
        assertThat(client.apps().statefulSets().inNamespace(ns).withName("broken").get()).isNull();

        // a missing init SQL ConfigMap: a clear reason, and the cluster is created once the ConfigMap appears
        client.resource(ldb(ns, "waiting", """
                bootstrap:
                  initSQL:
                    name: platform-schema
                """)).create();
        await().atMost(TIMEOUT).untilAsserted(() -> assertThat(condition(ns, "waiting", Conditions.READY)).get()
                .satisfies(c -> {
                    assertThat(c.getReason()).isEqualTo("InitSQLNotFound");
                    assertThat(c.getMessage()).contains("platform-schema");
                }));

        // the operator is still healthy and serves other clusters
        client.resource(ldb(ns, "healthy", "replicas: 0\n")).create();
        awaitObject(StatefulSet.class, ns, "healthy");

        // fixing the spec recovers the broken one
        var broken = get(ns, "broken");
        broken.getSpec().setReplicas(1);
        broken.getSpec().getPostgres().getParameters().clear();
        client.resource(broken).update();
        awaitObject(StatefulSet.class, ns, "broken");
        client.resource(new ConfigMapBuilder().withNewMetadata().withName("platform-schema").withNamespace(ns)
                .endMetadata().withData(Map.of("init.sql", "CREATE TABLE t (id int);")).build()).create();
        await().atMost(Duration.ofSeconds(60)).until(() -> client.apps().statefulSets().inNamespace(ns)
                .withName("waiting").get() != null);
    }

    @Test
    void everySampleReconcilesIntoACluster() throws Exception {
        String ns = "samples";
        try (var files = java.nio.file.Files.list(java.nio.file.Path.of("samples"))) {
            for (var file : files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList()) {
                try (var in = java.nio.file.Files.newInputStream(file)) {
                    for (HasMetadata o : client.load(in).items()) {
                        o.getMetadata().setNamespace(ns);
                        client.resource(o).create();
                    }
                }
            }
        }
        var sts = new FakeStatefulSetController(client);
        for (String name : List.of("minimal", "learning-platform")) {
            awaitObject(StatefulSet.class, ns, name);
            awaitObject(StatefulSet.class, ns, name + "-pooler");
            sts.run(ns, name, true);
            sts.run(ns, name + "-pooler", true);
            await().atMost(TIMEOUT).untilAsserted(() -> assertThat(get(ns, name).getStatus().getPhase())
                    .as(name).isEqualTo(Phase.Ready));
        }
        var platform = client.apps().statefulSets().inNamespace(ns).withName("learning-platform").get();
        assertThat(platform.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv())
                .anySatisfy(e -> assertThat(e.getName() + "=" + e.getValue()).isEqualTo("INIT_SQL=/etc/learningdb/init/init.sql"));
        assertThat(client.configMaps().inNamespace(ns).withName("learning-platform-postgres-config").get().getData()
                .get("postgresql.conf")).contains("max_connections = '400'", "shared_buffers = '4096MB'");
    }

    String role(String ns, String pod) {
        Pod p = client.pods().inNamespace(ns).withName(pod).get();
        return p == null ? null : p.getMetadata().getLabels().get(Labels.ROLE);
    }

    List<Event> events(String ns, String name) {
        return client.v1().events().inNamespace(ns).list().getItems().stream()
                .filter(e -> name.equals(e.getInvolvedObject().getName())).toList();
    }

    List<RecordedRequest> drainRequests() {
        return OperatorRequests.drain(server, "LearningDatabaseReconcilerTest");
    }
}
