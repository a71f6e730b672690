package io.learningdb.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.learningdb.operator.model.LearningDatabase;
import io.learningdb.operator.rbac.OperatorRequests;
import io.learningdb.operator.rbac.OperatorTest;
import io.learningdb.operator.resources.Certificates;
import io.learningdb.operator.resources.Labels;
import io.learningdb.operator.resources.TlsSecrets;
import io.learningdb.operator.status.Conditions;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;

/**
 * {@code <name>-tls} is the name of the certificate the operator issues, and also the name any web team gives the
 * certificate of its ingress ({@code lms-tls} for the {@code lms} site). Before, a Secret of that name the operator
 * had not labelled made it POST the Secret again at every reconcile and fail with "already exists", and the cluster
 * never came up with no word on why. Now a Secret this cluster's CA issued (its labels lost, a namespace restore) is
 * adopted with its certificate kept, and anyone else's is never touched: the cluster says whose it is and what to do.
 */
@QuarkusTest
@WithKubernetesTestServer(crud = true, setup = OperatorRequests.TestApiServer.class)
class TlsSecretOwnershipTest extends OperatorTest {

    static final Duration TIMEOUT = Duration.ofSeconds(30);
    static final String NS = "tls-owner";

    LearningDatabase get(String name) {
        return client.resources(LearningDatabase.class).inNamespace(NS).withName(name).get();
    }

    Secret secret(String name) {
        return client.secrets().inNamespace(NS).withName(name).get();
    }

    static Secret ingressCertificate(String name) {
        var ca = Certificates.newCa("letsencrypt-staging", Instant.now());
        var cert = Certificates.newServer(ca, List.of("learn.example.org"), Instant.now());
        return new SecretBuilder().withNewMetadata().withName(name).withNamespace(NS)
                .withLabels(Map.of("app", "website"))
                .withAnnotations(Map.of("cert-manager.io/certificate-name", "website"))
                .endMetadata()
                .withType("kubernetes.io/tls")
                .withData(Map.of(TlsSecrets.TLS_CRT, base64(cert.certificate()), TlsSecrets.TLS_KEY,
                        base64(cert.privateKey()), TlsSecrets.CA_CRT, base64(ca.certificate())))
                .build();
    }

    static String base64(String s) {
        return java.util.Base64.getEncoder().encodeToString(s.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    @Test
    void someoneElsesSecretOfThatNameIsNeverOverwrittenAndTheClusterSaysWhose() {
        Secret theirs = client.resource(ingressCertificate("web-tls")).create();
        client.resource(LearningDatabaseReconcilerTest.ldb(NS, "web", "replicas: 1\n")).create();

        await().atMost(TIMEOUT).untilAsserted(() -> {
            var ready = Conditions.find(get("web").getStatus().getConditions(), Conditions.READY);
            assertThat(ready).get().satisfies(c -> {
                assertThat(c.getStatus()).isEqualTo("False");
                assertThat(c.getMessage()).contains("Secret web-tls", "not issued by this cluster", "web-ca",
                        "never overwrites");
            });
            assertThat(client.v1().events().inNamespace(NS).list().getItems())
                    .anySatisfy(e -> assertThat(e.getMessage()).contains("Secret web-tls", "never overwrites"));
        });
        Secret after = secret("web-tls");
        assertThat(after.getMetadata().getResourceVersion()).isEqualTo(theirs.getMetadata().getResourceVersion());
        assertThat(after.getData()).isEqualTo(theirs.getData());
        assertThat(after.getMetadata().getOwnerReferences()).isNullOrEmpty();
        assertThat(client.apps().statefulSets().inNamespace(NS).withName("web").get())
                .as("nothing is started that would serve someone else's certificate").isNull();

        // moved aside by its owner: the cluster gets its own certificate and comes up
        client.resource(theirs).delete();
        await().atMost(Duration.ofSeconds(45)).untilAsserted(() -> {
            Secret ours = secret("web-tls");
            assertThat(ours).isNotNull();
            assertThat(ours.getMetadata().getLabels()).containsEntry(Labels.MANAGED_BY, Labels.MANAGER);
            assertThat(client.apps().statefulSets().inNamespace(NS).withName("web").get()).isNotNull();
        });
    }

    @Test
    void aCertificateThisClusterIssuedIsAdoptedAndKept() {
        client.resource(LearningDatabaseReconcilerTest.ldb(NS, "own", "replicas: 1\n")).create();
        await().atMost(TIMEOUT).until(() -> secret("own-tls") != null
                && client.apps().statefulSets().inNamespace(NS).withName("own").get() != null);
        String served = TlsSecrets.decode(secret("own-tls"), TlsSecrets.TLS_CRT);

        // its labels lost (a restore that drops them, a hand edit): the operator's cache no longer sees it
        client.secrets().inNamespace(NS).withName("own-tls").edit(s -> {
            s.getMetadata().getLabels().remove(Labels.MANAGED_BY);
            s.getMetadata().setOwnerReferences(null);
            return s;
        });
        // anything that makes it reconcile
        client.resources(LearningDatabase.class).inNamespace(NS).withName("own")
                .edit(l -> {
                    l.getSpec().setReplicas(2);
                    return l;
                });

        await().atMost(TIMEOUT).untilAsserted(() -> {
            Secret adopted = secret("own-tls");
            assertThat(adopted.getMetadata().getLabels()).containsEntry(Labels.MANAGED_BY, Labels.MANAGER);
            assertThat(adopted.getMetadata().getOwnerReferences()).singleElement()
                    .satisfies(o -> assertThat(o.getName()).isEqualTo("own"));
            assertThat(TlsSecrets.decode(adopted, TlsSecrets.TLS_CRT)).as("the certificate clients trust today")
                    .isEqualTo(served);
            assertThat(client.v1().events().inNamespace(NS).list().getItems())
                    .anySatisfy(e -> assertThat(e.getReason()).isEqualTo("CertificateSecretAdopted"));
        });
        assertThat(Conditions.find(get("own").getStatus().getConditions(), Conditions.READY).get().getReason())
                .isNotEqualTo("ReconcileError");
    }
}
