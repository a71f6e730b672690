package io.learningdb.operator.resources;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;

/**
 * A private CA and the server certificates it signs, as PEM (ECDSA P-256: fast to issue, supported by PostgreSQL,
 * PgBouncer and every libpq/JDBC client). Pure: no Kubernetes or network access.
 */
public final class Certificates {

    public static final Duration CA_VALIDITY = Duration.ofDays(3650);
    public static final Duration SERVER_VALIDITY = Duration.ofDays(365);
    /** A server certificate with less than this left is re-issued (and the pods roll onto it). */
    public static final Duration RENEW_BEFORE = Duration.ofDays(30);

    private static final SecureRandom RANDOM = new SecureRandom();

    public record Pem(String certificate, String privateKey) {
    }

    private Certificates() {
    }

    public static Pem newCa(String commonName, Instant now) {
        try {
            KeyPair keys = keyPair();
            var subject = new X500Name("CN=" + commonName + ",O=learningdb");
            var builder = new JcaX509v3CertificateBuilder(subject, serial(), Date.from(now.minus(Duration.ofHours(1))),
                    Date.from(now.plus(CA_VALIDITY)), subject, keys.getPublic());
            var ext = new JcaX509ExtensionUtils();
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
            builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            builder.addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(keys.getPublic()));
            return new Pem(pem(sign(builder, keys.getPrivate())), pem(keys.getPrivate()));
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot create a CA certificate", e);
        }
    }

    /** A server certificate for these DNS names (entries that parse as IPv4 addresses become IP SANs). */
    public static Pem newServer(Pem ca, List<String> names, Instant now) {
        return newServer(ca, names, now, SERVER_VALIDITY);
    }

    /** The same, valid for {@code validity}. */
    public static Pem newServer(Pem ca, List<String> names, Instant now, Duration validity) {
        try {
            X509Certificate caCert = certificate(ca.certificate());
            PrivateKey caKey = privateKey(ca.privateKey());
            KeyPair keys = keyPair();
            var builder = new JcaX509v3CertificateBuilder(caCert, serial(), Date.from(now.minus(Duration.ofHours(1))),
                    Date.from(now.plus(validity)), new X500Name("CN=" + names.get(0) + ",O=learningdb"),
                    keys.getPublic());
            var ext = new JcaX509ExtensionUtils();
            List<GeneralName> sans = new ArrayList<>();
            for (String n : names) {
                sans.add(n.matches("\\d+\\.\\d+\\.\\d+\\.\\d+") ? new GeneralName(GeneralName.iPAddress, n)
                        : new GeneralName(GeneralName.dNSName, n));
            }
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyAgreement));
            builder.addExtension(Extension.extendedKeyUsage, false,
                    new ExtendedKeyUsage(new KeyPurposeId[] { KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth }));
            builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(sans.toArray(GeneralName[]::new)));
            builder.addExtension(Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(caCert));
            return new Pem(pem(sign(builder, caKey)), pem(keys.getPrivate()));
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot issue a server certificate", e);
        }
    }

    /** A client certificate whose common name is {@code commonName} (pgBackRest's TLS server admits clients by it). */
    public static Pem newClient(Pem ca, String commonName, Instant now) {
        return newServer(ca, List.of(commonName), now);
    }

    /**
     * Whether a server certificate can stay: it parses, was signed by this CA, covers these names and has more than
     * {@link #RENEW_BEFORE} left.
     */
    public static boolean stillGood(String serverPem, String caPem, List<String> names, Instant now) {
        try {
            X509Certificate cert = certificate(serverPem);
            X509Certificate ca = certificate(caPem);
            cert.verify(ca.getPublicKey());
            if (cert.getNotAfter().toInstant().isBefore(now.plus(RENEW_BEFORE))) {
                return false;
            }
            var sans = cert.getSubjectAlternativeNames();
            if (sans == null) {
                return false;
            }
            List<String> covered = sans.stream().map(l -> String.valueOf(l.get(1))).toList();
            return covered.containsAll(names);
        } catch (GeneralSecurityException | RuntimeException e) {
            return false;
        }
    }

    public static Instant notAfter(String pem) {
        try {
            return certificate(pem).getNotAfter().toInstant();
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("not a certificate", e);
        }
    }

    public static X509Certificate certificate(String pem) throws GeneralSecurityException {
        try (var parser = new PEMParser(new StringReader(pem))) {
            Object o = parser.readObject();
            if (!(o instanceof X509CertificateHolder holder)) {
                throw new GeneralSecurityException("no PEM certificate");
            }
            return new JcaX509CertificateConverter().getCertificate(holder);
        } catch (IOException e) {
            throw new GeneralSecurityException(e);
        }
    }

    private static PrivateKey privateKey(String pem) throws IOException {
        try (var parser = new PEMParser(new StringReader(pem))) {
            Object o = parser.readObject();
            if (o instanceof PrivateKeyInfo info) {
                return new JcaPEMKeyConverter().getPrivateKey(info);
            }
            if (o instanceof org.bouncycastle.openssl.PEMKeyPair pair) {
                return new JcaPEMKeyConverter().getKeyPair(pair).getPrivate();
            }
            throw new IOException("no PEM private key");
        }
    }

    private static KeyPair keyPair() throws GeneralSecurityException {
        var gen = KeyPairGenerator.getInstance("EC");
        gen.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
        return gen.generateKeyPair();
    }

    private static BigInteger serial() {
        return new BigInteger(127, RANDOM).add(BigInteger.ONE);
    }

    private static X509Certificate sign(JcaX509v3CertificateBuilder builder, PrivateKey key) throws GeneralSecurityException {
        try {
            var signer = new JcaContentSignerBuilder("SHA256withECDSA").build(key);
            return new JcaX509CertificateConverter().getCertificate(builder.build(signer));
        } catch (org.bouncycastle.operator.OperatorCreationException e) {
            throw new GeneralSecurityException(e);
        }
    }

    private static String pem(Object o) {
        var out = new StringWriter();
        try (var writer = new JcaPEMWriter(out)) {
            if (o instanceof PrivateKey key) {
                // PKCS#8 ("BEGIN PRIVATE KEY"), which PostgreSQL, PgBouncer and Java all read
                writer.writeObject(new org.bouncycastle.openssl.jcajce.JcaPKCS8Generator(key, null));
            } else {
                writer.writeObject(o);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }
}
