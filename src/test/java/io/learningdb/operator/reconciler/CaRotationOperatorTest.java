package io.learningdb.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Secret;
import io.learningdb.operator.model.LearningDatabase;
import io.learningdb.operator.rbac.OperatorRequests;
import io.learningdb.operator.rbac.OperatorTest;
import io.learningdb.operator.resources.Labels;
import io.learningdb.operator.resources.TlsRotation;
import io.learningdb.operator.resources.TlsSecrets;
import io.learningdb.operator.status.Conditions;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;

/**
 * Deleting {@code <name>-ca} on the strict test API server. Before, the operator issued a certificate of the new CA
 * at once with only the new CA in ca.crt and rolled every pod onto it: pods restarted at different times could not
 * verify each other (the deadlock of issue 14). Now the first step only adds the new CA to the bundle, keeps the
 * certificate every client trusts, changes no pod template and deletes no pod, and goes no further while the pods
 * have not reported the bundle loaded (here they cannot: no database answers in this test; CaRotationTest runs the
 * whole rotation on real PostgreSQL and PgBouncer).
 */
@QuarkusTest
@WithKubernetesTestServer(crud = true, setup = OperatorRequests.TestApiServer.class)
class CaRotationOperatorTest extends OperatorTest {

    static final Duration TIMEOUT = Duration.ofSeconds(30);
    static final String NS = "rotation";

    LearningDatabase get(String name) {
        return client.resources(LearningDatabase.class).inNamespace(NS).withName(name).get();
    }

    Optional<Condition> progressing(String name) {
        var l = get(name);
        return l == null || l.getStatus() == null ? Optional.empty()
                : Conditions.find(l.getStatus().getConditions(), Conditions.PROGRESSING);
    }

    Secret secret(String name) {
        return client.secrets().inNamespace(NS).withName(name).get();
    }

    Map<String, String> podUids(String cluster) {
        return client.pods().inNamespace(NS).withLabel(Labels.CLUSTER, cluster).list().getItems().stream()
                .collect(Collectors.toMap(p -> p.getMetadata().getName(), p -> p.getMetadata().getUid()));
    }

    @Test
    void deletingTheCaFirstTrustsTheNewCaBesideTheOldAndRestartsNothing() throws Exception {
        client.resource(LearningDatabaseReconcilerTest.ldb(NS, "ca", "replicas: 1\n")).create();
        await().atMost(TIMEOUT).until(() -> client.apps().statefulSets().inNamespace(NS).withName("ca").get() != null
                && client.apps().statefulSets().inNamespace(NS).withName("ca-pooler").get() != null
                && secret("ca-tls") != null);
        var sts = new FakeStatefulSetController(client);
        sts.run(NS, "ca", true);
        sts.run(NS, "ca-pooler", true);
        var pods = podUids("ca");
        var instanceTemplate = client.apps().statefulSets().inNamespace(NS).withName("ca").get().getSpec().getTemplate();
        var poolerTemplate = client.apps().statefulSets().inNamespace(NS).withName("ca-pooler").get().getSpec().getTemplate();
        Secret before = secret("ca-tls");
        String oldCa = TlsSecrets.decode(secret("ca-ca"), TlsSecrets.CA_CRT);
        String servedBefore = TlsSecrets.decode(before, TlsSecrets.TLS_CRT);
        assertThat(TlsRotation.certificates(TlsSecrets.decode(before, TlsSecrets.CA_CRT))).hasSize(1);

        client.secrets().inNamespace(NS).withName("ca-ca").delete();
        await().atMost(TIMEOUT).untilAsserted(() -> {
            Secret ca = secret("ca-ca");
            assertThat(ca).isNotNull();
            String newCa = TlsSecrets.decode(ca, TlsSecrets.CA_CRT);
            assertThat(newCa).isNotEqualTo(oldCa);
            Secret tls = secret("ca-tls");
            assertThat(TlsRotation.certificates(TlsSecrets.decode(tls, TlsSecrets.CA_CRT)))
                    .containsExactly(newCa.strip() + "\n", oldCa.strip() + "\n");
            assertThat(TlsSecrets.decode(tls, TlsSecrets.TLS_CRT)).as("the certificate every client trusts today")
                    .isEqualTo(servedBefore);
            assertThat(progressing("ca")).get().satisfies(c -> {
                assertThat(c.getStatus()).isEqualTo("True");
                assertThat(c.getReason()).isEqualTo("CertificateRotation");
                assertThat(c.getMessage()).contains("waiting for every instance and pooler pod to load the CA bundle");
            });
            assertThat(client.v1().events().inNamespace(NS).list().getItems())
                    .anySatisfy(e -> assertThat(e.getReason()).isEqualTo(TlsRotation.TRUSTING));
        });

        // the pods have not said they loaded it: reconciles later (the trust period, 1 s in tests, asks for one) nothing
        // has moved on
        Thread.sleep(3_000);
        assertThat(TlsSecrets.decode(secret("ca-tls"), TlsSecrets.TLS_CRT)).isEqualTo(servedBefore);
        assertThat(client.apps().statefulSets().inNamespace(NS).withName("ca").get().getSpec().getTemplate())
                .isEqualTo(instanceTemplate);
        assertThat(client.apps().statefulSets().inNamespace(NS).withName("ca-pooler").get().getSpec().getTemplate())
                .isEqualTo(poolerTemplate);
        assertThat(podUids("ca")).isEqualTo(pods);
        assertThat(List.of(TlsRotation.REISSUED, TlsRotation.RETIRED)).noneMatch(reason -> client.v1().events()
                .inNamespace(NS).list().getItems().stream().anyMatch(e -> reason.equals(e.getReason())));
    }
}
