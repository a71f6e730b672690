package io.learningdb.operator.resources;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.Secret;
import io.learningdb.operator.model.LearningDatabase;
import io.learningdb.operator.resources.TlsRotation.Decision;
import io.learningdb.operator.resources.TlsRotation.Phase;

/** The CA rotation as a decision over the CA, the Secret as it is and whether every pod has loaded it. */
class TlsRotationTest {

    static final LearningDatabase LDB = Fixtures.ldb("lms", "replicas: 2\n");
    static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");
    static final Duration TRUST = Duration.ofMinutes(5);

    static String cert(Secret s) {
        return TlsSecrets.decode(s, TlsSecrets.TLS_CRT);
    }

    static List<String> bundle(Secret s) {
        return TlsRotation.certificates(TlsSecrets.decode(s, TlsSecrets.CA_CRT));
    }

    static Decision decide(Certificates.Pem ca, Secret actual, boolean loaded, Instant now) {
        return TlsRotation.decide(LDB, ca, Optional.ofNullable(actual), loaded, TRUST, now);
    }

    static String pem(Certificates.Pem ca) {
        return ca.certificate().strip() + "\n";
    }

    @Test
    void aNewClusterGetsACertificateOfItsCaAndThenKeepsItWhileItIsGood() {
        var ca = TlsSecrets.newCa(LDB, T0);
        var first = decide(ca, null, false, T0);
        assertThat(first.phase()).isEqualTo(Phase.STEADY);
        assertThat(first.step()).contains(TlsRotation.ISSUED);
        assertThat(bundle(first.secret())).containsExactly(pem(ca));
        assertThat(TlsRotation.signs(ca.certificate(), cert(first.secret()))).isTrue();

        var again = decide(ca, first.secret(), true, T0.plus(Duration.ofDays(100)));
        assertThat(again.step()).isEmpty();
        assertThat(again.secret().getData()).isEqualTo(first.secret().getData());

        // 30 days before it expires: renewed by the same CA, trust unchanged (pods reload it)
        var renewed = decide(ca, first.secret(), true, T0.plus(Duration.ofDays(340)));
        assertThat(renewed.step()).contains(TlsRotation.RENEWED);
        assertThat(renewed.phase()).isEqualTo(Phase.STEADY);
        assertThat(cert(renewed.secret())).isNotEqualTo(cert(first.secret()));
        assertThat(bundle(renewed.secret())).containsExactly(pem(ca));
    }

    @Test
    void onlyASecretThisClustersCaIssuedOrTrustsIsItsOwn() {
        var ca = TlsSecrets.newCa(LDB, T0);
        var issued = decide(ca, null, false, T0).secret();
        assertThat(TlsRotation.issuedBy(issued, ca)).isTrue();
        // mid-rotation the certificate served is the old CA's, and the bundle holds the current one
        var newCa = TlsSecrets.newCa(LDB, T0.plusSeconds(60));
        assertThat(TlsRotation.issuedBy(decide(newCa, issued, true, T0.plusSeconds(60)).secret(), newCa)).isTrue();
        // an ingress certificate of the same name: another CA, another bundle
        var other = Certificates.newCa("letsencrypt", T0);
        var theirs = TlsSecrets.server(LDB, other.certificate(), Certificates.newServer(other, List.of("learn.example.org"), T0));
        assertThat(TlsRotation.issuedBy(theirs, ca)).isFalse();
        // incomplete: nothing to serve
        issued.getData().remove(TlsSecrets.TLS_KEY);
        assertThat(TlsRotation.issuedBy(issued, ca)).isFalse();
    }

    @Test
    void aNewCaIsFirstTrustedBesideTheOldOneWhileTheOldCertificateIsStillServed() {
        var oldCa = TlsSecrets.newCa(LDB, T0);
        var steady = decide(oldCa, null, true, T0).secret();
        var newCa = TlsSecrets.newCa(LDB, T0.plusSeconds(60));

        var trust = decide(newCa, steady, true, T0.plusSeconds(60));
        assertThat(trust.phase()).isEqualTo(Phase.TRUSTING);
        assertThat(trust.step()).contains(TlsRotation.TRUSTING);
        assertThat(cert(trust.secret())).isEqualTo(cert(steady)); // the certificate every client trusts today
        assertThat(bundle(trust.secret())).containsExactly(pem(newCa), pem(oldCa));
        assertThat(trust.secret().getMetadata().getAnnotations()).containsEntry(TlsRotation.TRUSTED_SINCE,
                T0.plusSeconds(60).toString());
        assertThat(trust.recheck()).contains(TRUST);
    }

    @Test
    void theNewCasCertificateWaitsForEveryPodToLoadTheBundleAndForTheTrustPeriod() {
        var oldCa = TlsSecrets.newCa(LDB, T0);
        var newCa = TlsSecrets.newCa(LDB, T0);
        var trusting = decide(newCa, decide(oldCa, null, true, T0).secret(), true, T0).secret();

        // a pod has not loaded the bundle: nothing changes, however long it takes
        var notLoaded = decide(newCa, trusting, false, T0.plus(Duration.ofHours(2)));
        assertThat(notLoaded.phase()).isEqualTo(Phase.TRUSTING);
        assertThat(notLoaded.step()).isEmpty();
        assertThat(notLoaded.secret().getData()).isEqualTo(trusting.getData());
        assertThat(notLoaded.message()).contains("waiting for every instance and pooler pod to load the CA bundle");

        // loaded, but published for less than the trust period: look again when it has been
        var early = decide(newCa, trusting, true, T0.plus(Duration.ofMinutes(2)));
        assertThat(early.step()).isEmpty();
        assertThat(early.secret().getData()).isEqualTo(trusting.getData());
        assertThat(early.recheck()).contains(Duration.ofMinutes(3));

        var reissued = decide(newCa, trusting, true, T0.plus(TRUST));
        assertThat(reissued.phase()).isEqualTo(Phase.REISSUED);
        assertThat(reissued.step()).contains(TlsRotation.REISSUED);
        assertThat(TlsRotation.signs(newCa.certificate(), cert(reissued.secret()))).isTrue();
        assertThat(bundle(reissued.secret())).containsExactly(pem(newCa), pem(oldCa));
    }

    @Test
    void theOldCaIsRetiredOnlyOnceEveryPodServesTheNewCertificate() {
        var oldCa = TlsSecrets.newCa(LDB, T0);
        var newCa = TlsSecrets.newCa(LDB, T0);
        var trusting = decide(newCa, decide(oldCa, null, true, T0).secret(), true, T0).secret();
        var reissued = decide(newCa, trusting, true, T0.plus(TRUST)).secret();

        var waiting = decide(newCa, reissued, false, T0.plus(Duration.ofHours(1)));
        assertThat(waiting.phase()).isEqualTo(Phase.REISSUED);
        assertThat(waiting.step()).isEmpty();
        assertThat(waiting.secret().getData()).isEqualTo(reissued.getData());

        var retired = decide(newCa, reissued, true, T0.plus(Duration.ofHours(1)));
        assertThat(retired.phase()).isEqualTo(Phase.STEADY);
        assertThat(retired.step()).contains(TlsRotation.RETIRED);
        assertThat(cert(retired.secret())).isEqualTo(cert(reissued));
        assertThat(bundle(retired.secret())).containsExactly(pem(newCa));

        assertThat(decide(newCa, retired.secret(), true, T0.plus(Duration.ofHours(2))).step()).isEmpty();
    }

    @Test
    void aCertificateNoTrustedCaSignedIsReplacedAtOnce() {
        var ca = TlsSecrets.newCa(LDB, T0);
        var steady = decide(ca, null, true, T0).secret();
        var foreign = Certificates.newServer(Certificates.newCa("someone else", T0), List.of("lms-rw"), T0);
        var tampered = TlsSecrets.server(LDB, TlsSecrets.decode(steady, TlsSecrets.CA_CRT), foreign);

        var fixed = decide(ca, tampered, false, T0);
        assertThat(fixed.step()).contains(TlsRotation.ISSUED);
        assertThat(TlsRotation.signs(ca.certificate(), cert(fixed.secret()))).isTrue();
        assertThat(bundle(fixed.secret())).containsExactly(pem(ca));
    }

    @Test
    void anExpiredOldCaIsNotCarriedIntoTheBundle() {
        var oldCa = TlsSecrets.newCa(LDB, T0);
        var steady = decide(oldCa, null, true, T0).secret();
        var newCa = TlsSecrets.newCa(LDB, T0);
        var muchLater = T0.plus(Certificates.CA_VALIDITY).plus(Duration.ofDays(1));
        // the old certificate has long expired too, and nothing trusts it: a certificate of the new CA at once
        var d = decide(newCa, steady, false, muchLater);
        assertThat(bundle(d.secret())).containsExactly(pem(newCa));
        assertThat(TlsRotation.signs(newCa.certificate(), cert(d.secret()))).isTrue();
        assertThat(d.phase()).isEqualTo(Phase.STEADY);
    }
}
