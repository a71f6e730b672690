package io.learningdb.operator.resources;

import java.security.GeneralSecurityException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

import io.fabric8.kubernetes.api.model.Secret;
import io.learningdb.operator.model.LearningDatabase;

/**
 * The next content of the server certificate Secret {@code <name>-tls}, as a pure decision over the CA, the Secret as
 * it is and whether every pod has loaded it. A new CA (after {@code <name>-ca} was deleted) is rolled out in phases so
 * that nothing that verifies certificates loses its connection — a replica reconnecting to the primary, PgBouncer
 * connecting to PostgreSQL, a client:
 * <ol>
 * <li><b>Trust</b>: {@code ca.crt} becomes a bundle of the new and the old CA; the certificate served stays the old
 * CA's. Every instance and pooler pod installs the bundle and reloads (no restart).</li>
 * <li><b>Reissue</b>, once every pod has loaded the bundle and it has been published for at least the trust period
 * (clients that read {@code ca.crt} from the Secret pick it up meanwhile): a certificate of the new CA; the bundle
 * stays. Pods reload it.</li>
 * <li><b>Retire</b>, once every pod serves the new certificate: {@code ca.crt} is the new CA alone.</li>
 * </ol>
 * A certificate nothing trusts (signed by no CA of the bundle) is replaced at once: it cannot get worse. Without a
 * rotation a certificate is renewed by the same CA 30 days before it expires (pods reload it).
 */
public final class TlsRotation {

    /** When the new CA was first published in the bundle (an annotation of {@code <name>-tls}). */
    public static final String TRUSTED_SINCE = "learningdb.io/ca-trusted-since";

    public enum Phase {
        /** Nothing under way: one CA, a good certificate. */
        STEADY,
        /** The bundle trusts the new CA; the old CA's certificate is still served. */
        TRUSTING,
        /** The new CA's certificate is served; the old CA is still trusted. */
        REISSUED
    }

    /**
     * @param secret the Secret to apply
     * @param phase where the rotation stands after applying it
     * @param message for {@code kubectl describe}: what the rotation waits for
     * @param step what this decision changes (an event reason), empty when the Secret stays as it is
     * @param recheck when to look again although nothing changed (the trust period running out)
     */
    public record Decision(Secret secret, Phase phase, String message, Optional<String> step, Optional<Duration> recheck) {
    }

    /** Event reasons, one per step. */
    public static final String ISSUED = "CertificateIssued";
    public static final String RENEWED = "CertificateRenewed";
    public static final String TRUSTING = "CertificateAuthorityTrusted";
    public static final String REISSUED = "CertificateReissued";
    public static final String RETIRED = "CertificateAuthorityRetired";
    public static final String ADOPTED = "CertificateSecretAdopted";

    private static final Pattern PEM_CERT = Pattern.compile(
            "-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----");

    private TlsRotation() {
    }

    /**
     * @param ca the CA of {@code <name>-ca}
     * @param actual {@code <name>-tls} as it is
     * @param loaded whether every instance and pooler pod runs {@code actual} (its {@link TlsSecrets#fingerprint});
     *        false when unknown
     * @param trustPeriod how long the bundle is published before a certificate of the new CA is served
     */
    public static Decision decide(LearningDatabase ldb, Certificates.Pem ca, Optional<Secret> actual, boolean loaded,
            Duration trustPeriod, Instant now) {
        return decide(ldb, TlsSecrets.serverNames(ldb), ca, actual, loaded, trustPeriod, now);
    }

    /** @param names the names certificates cover (the test fixture adds its loopback ones) */
    public static Decision decide(LearningDatabase ldb, List<String> names, Certificates.Pem ca, Optional<Secret> actual,
            boolean loaded, Duration trustPeriod, Instant now) {
        String caCert = normalize(ca.certificate());
        String cert = actual.map(s -> TlsSecrets.decode(s, TlsSecrets.TLS_CRT)).orElse(null);
        String key = actual.map(s -> TlsSecrets.decode(s, TlsSecrets.TLS_KEY)).orElse(null);
        String bundleText = actual.map(s -> TlsSecrets.decode(s, TlsSecrets.CA_CRT)).orElse(null);
        if (cert == null || key == null || bundleText == null) {
            return new Decision(build(ldb, Certificates.newServer(ca, names, now), List.of(caCert), null),
                    Phase.STEADY, "certificate issued", Optional.of(ISSUED), Optional.empty());
        }
        List<String> bundle = certificates(bundleText);
        Instant since = actual.map(TlsRotation::trustedSince).orElse(null);
        if (bundle.stream().noneMatch(c -> signs(c, cert))) {
            // served, but trusted by no one (not even the bundle beside it): replacing it cannot break anything
            var keep = bundle.contains(caCert) ? bundle : withNew(caCert, bundle, now);
            return new Decision(build(ldb, Certificates.newServer(ca, names, now), keep, keep.size() > 1 ? now : null),
                    keep.size() > 1 ? Phase.REISSUED : Phase.STEADY,
                    "the certificate served was signed by no trusted CA: issued one of the current CA",
                    Optional.of(ISSUED), Optional.empty());
        }
        if (!bundle.contains(caCert)) {
            var next = withNew(caCert, bundle, now);
            if (next.size() == 1) {
                // no old CA is still valid: nothing served today can be verified any more, so nothing to keep working
                return new Decision(build(ldb, Certificates.newServer(ca, names, now), next, null), Phase.STEADY,
                        "new CA and the old one expired: issued a certificate of the new CA", Optional.of(ISSUED),
                        Optional.empty());
            }
            return new Decision(build(ldb, new Certificates.Pem(cert, key), next, now), Phase.TRUSTING,
                    "new CA: every pod now trusts the old and the new CA; its certificate is served once every pod "
                            + "has loaded the bundle and it has been published for " + human(trustPeriod),
                    Optional.of(TRUSTING), Optional.of(trustPeriod));
        }
        boolean rotating = bundle.size() > 1;
        boolean servesCurrent = signs(caCert, cert);
        if (rotating && !servesCurrent) {
            Instant due = (since == null ? now : since).plus(trustPeriod);
            if (!loaded || now.isBefore(due)) {
                String waiting = !loaded ? "waiting for every instance and pooler pod to load the CA bundle"
                        : "the CA bundle is published until " + due + " before the new CA's certificate is served";
                return new Decision(build(ldb, new Certificates.Pem(cert, key), bundle, since == null ? now : since),
                        Phase.TRUSTING, "CA rotation: " + waiting, Optional.empty(),
                        loaded ? Optional.of(Duration.between(now, due)) : Optional.empty());
            }
            return new Decision(build(ldb, Certificates.newServer(ca, names, now), bundle, since), Phase.REISSUED,
                    "CA rotation: serving a certificate of the new CA; the old CA is trusted until every pod has "
                            + "loaded it", Optional.of(REISSUED), Optional.empty());
        }
        if (rotating) {
            if (!loaded) {
                return new Decision(build(ldb, new Certificates.Pem(cert, key), bundle, since), Phase.REISSUED,
                        "CA rotation: waiting for every instance and pooler pod to serve the new CA's certificate",
                        Optional.empty(), Optional.empty());
            }
            return new Decision(build(ldb, new Certificates.Pem(cert, key), List.of(caCert), null), Phase.STEADY,
                    "CA rotation done: the old CA is no longer trusted", Optional.of(RETIRED), Optional.empty());
        }
        if (Certificates.stillGood(cert, caCert, names, now)) {
            return new Decision(build(ldb, new Certificates.Pem(cert, key), bundle, null), Phase.STEADY, "certificate valid",
                    Optional.empty(), Optional.empty());
        }
        return new Decision(build(ldb, Certificates.newServer(ca, names, now), bundle, null), Phase.STEADY,
                "certificate renewed (expiring, or not covering every service name)", Optional.of(RENEWED),
                Optional.empty());
    }

    /**
     * Whether a Secret that exists without this operator's labels is this cluster's own certificate (labels lost in a
     * restore or a hand edit): complete, and its certificate signed by the CA or its bundle trusting it (mid-rotation
     * the old CA's certificate is served beside a bundle that holds the current one). Anything else of that name is
     * someone else's, an ingress certificate say, and is never overwritten.
     */
    public static boolean issuedBy(Secret secret, Certificates.Pem ca) {
        String cert = TlsSecrets.decode(secret, TlsSecrets.TLS_CRT);
        String key = TlsSecrets.decode(secret, TlsSecrets.TLS_KEY);
        String bundle = TlsSecrets.decode(secret, TlsSecrets.CA_CRT);
        if (cert == null || key == null || bundle == null) {
            return false;
        }
        return signs(ca.certificate(), cert) || certificates(bundle).contains(normalize(ca.certificate()));
    }

    /** The certificates of a PEM bundle, normalized (one trailing newline each). */
    public static List<String> certificates(String bundle) {
        var out = new ArrayList<String>();
        var m = PEM_CERT.matcher(bundle == null ? "" : bundle);
        while (m.find()) {
            String c = normalize(m.group());
            if (!out.contains(c)) {
                out.add(c);
            }
        }
        return out;
    }

    /** Whether {@code caPem} signed {@code certPem}. */
    public static boolean signs(String caPem, String certPem) {
        try {
            Certificates.certificate(certPem).verify(Certificates.certificate(caPem).getPublicKey());
            return true;
        } catch (GeneralSecurityException | RuntimeException e) {
            return false;
        }
    }

    /** The new CA first, then the old ones that are still valid. */
    private static List<String> withNew(String caCert, List<String> old, Instant now) {
        var next = new ArrayList<String>(List.of(caCert));
        for (String c : old) {
            if (!next.contains(c) && valid(c, now)) {
                next.add(c);
            }
        }
        return next;
    }

    private static boolean valid(String pem, Instant now) {
        try {
            return Certificates.notAfter(pem).isAfter(now);
        } catch (RuntimeException e) {
            return false;
        }
    }

    private static Secret build(LearningDatabase ldb, Certificates.Pem server, List<String> bundle, Instant trustedSince) {
        Secret s = TlsSecrets.server(ldb, String.join("", bundle), server);
        if (trustedSince != null) {
            var annotations = new LinkedHashMap<String, String>();
            annotations.put(TRUSTED_SINCE, trustedSince.toString());
            s.getMetadata().setAnnotations(annotations);
        }
        return s;
    }

    private static Instant trustedSince(Secret s) {
        String v = s.getMetadata() == null || s.getMetadata().getAnnotations() == null ? null
                : s.getMetadata().getAnnotations().get(TRUSTED_SINCE);
        try {
            return v == null ? null : Instant.parse(v);
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static String normalize(String pem) {
        return pem.strip() + "\n";
    }

    private static String human(Duration d) {
        return d.toMinutes() >= 1 ? d.toMinutes() + " min" : d.toSeconds() + " s";
    }
}
