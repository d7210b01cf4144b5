package io.sluice.testing;

import java.io.IOException;
import java.io.Writer;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A certificate authority made for one test, with BouncyCastle: a server certificate for 127.0.0.1 and device
 * certificates whose CN is the device id, each valid for two days. Written as PEM files, keys in PKCS#8, as Vert.x
 * reads them. (It shelled out to Debian's openssl before: three processes per certificate, and a package to install.)
 */
public final class TestCertificates {

    /** A certificate and its key, as PEM files and as objects. */
    public record Pair(Path certificate, Path key, X509Certificate x509, PrivateKey privateKey) {
        public BigInteger serial() {
            return x509.getSerialNumber();
        }
    }

    private static final SecureRandom RANDOM = new SecureRandom();

    private final Path dir;
    private final X500Name name;
    private final KeyPair keys;
    private final X509Certificate certificate;
    private final Path certificateFile;

    private TestCertificates(Path dir, X500Name name, KeyPair keys, X509Certificate certificate, Path certificateFile) {
        this.dir = dir;
        this.name = name;
        this.keys = keys;
        this.certificate = certificate;
        this.certificateFile = certificateFile;
    }

    /** A new CA, named {@code name}, in a new folder under {@code parent}. */
    public static TestCertificates authority(Path parent, String name) throws IOException {
        Path dir = Files.createDirectories(parent.resolve(name));
        X500Name subject = new X500Name("CN=" + name);
        KeyPair keys = rsa();
        X509v3CertificateBuilder builder = builder(subject, subject, keys);
        builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
        X509Certificate certificate = sign(builder, keys.getPrivate());
        Path file = dir.resolve("ca.crt");
        pem(file, certificate);
        return new TestCertificates(dir, subject, keys, certificate, file);
    }

    public Path certificate() {
        return certificateFile;
    }

    /** A server certificate for 127.0.0.1 (subject alternative name IP:127.0.0.1). */
    public Pair server() throws IOException {
        return issue("server", "127.0.0.1", builder -> builder.addExtension(Extension.subjectAlternativeName, false,
                new GeneralNames(new GeneralName(GeneralName.iPAddress, "127.0.0.1"))));
    }

    /** A client certificate whose CN is the device id. */
    public Pair device(String deviceId) throws IOException {
        return issue("device-" + deviceId, deviceId, builder -> builder.addExtension(Extension.extendedKeyUsage, false,
                new ExtendedKeyUsage(KeyPurposeId.id_kp_clientAuth)));
    }

    /** A TLS client that trusts this CA and presents the device's certificate, for a test's own sockets. */
    public SSLSocketFactory clientSockets(Pair device) throws IOException {
        try {
            KeyStore keyStore = KeyStore.getInstance("PKCS12");
            keyStore.load(null, null);
            keyStore.setKeyEntry("device", device.privateKey(), new char[0], new java.security.cert.Certificate[] {device.x509()});
            KeyManagerFactory keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keyManagers.init(keyStore, new char[0]);
            KeyStore trustStore = KeyStore.getInstance("PKCS12");
            trustStore.load(null, null);
            trustStore.setCertificateEntry("ca", certificate);
            TrustManagerFactory trustManagers = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trustManagers.init(trustStore);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keyManagers.getKeyManagers(), trustManagers.getTrustManagers(), RANDOM);
            return context.getSocketFactory();
        } catch (GeneralSecurityException e) {
            throw new IOException("could not make a TLS client: " + e.getMessage(), e);
        }
    }

    /** A TLS client that trusts this CA and presents no certificate (a device that logs in with a password). */
    public SSLSocketFactory trustingSockets() throws IOException {
        try {
            KeyStore trustStore = KeyStore.getInstance("PKCS12");
            trustStore.load(null, null);
            trustStore.setCertificateEntry("ca", certificate);
            TrustManagerFactory trustManagers = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trustManagers.init(trustStore);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, trustManagers.getTrustManagers(), RANDOM);
            return context.getSocketFactory();
        } catch (GeneralSecurityException e) {
            throw new IOException("could not make a TLS client: " + e.getMessage(), e);
        }
    }

    /** What a certificate adds to the common ones. */
    private interface Extensions {
        void add(X509v3CertificateBuilder builder) throws IOException;
    }

    private Pair issue(String file, String commonName, Extensions extensions) throws IOException {
        KeyPair subjectKeys = rsa();
        X509v3CertificateBuilder builder = builder(name, new X500Name("CN=" + commonName), subjectKeys);
        extensions.add(builder);
        X509Certificate signed = sign(builder, keys.getPrivate());
        Pair pair = new Pair(dir.resolve(file + ".crt"), dir.resolve(file + ".key"), signed, subjectKeys.getPrivate());
        pem(pair.certificate(), signed);
        pem(pair.key(), new JcaPKCS8Generator(subjectKeys.getPrivate(), null));
        return pair;
    }

    private static X509v3CertificateBuilder builder(X500Name issuer, X500Name subject, KeyPair subjectKeys) {
        Instant now = Instant.now();
        return new JcaX509v3CertificateBuilder(issuer, new BigInteger(64, RANDOM), Date.from(now.minus(Duration.ofMinutes(5))),
                Date.from(now.plus(Duration.ofDays(2))), subject, subjectKeys.getPublic());
    }

    private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey issuerKey) throws IOException {
        try {
            return new JcaX509CertificateConverter().getCertificate(
                    builder.build(new JcaContentSignerBuilder("SHA256withRSA").build(issuerKey)));
        } catch (OperatorCreationException | GeneralSecurityException e) {
            throw new IOException("could not sign a test certificate: " + e.getMessage(), e);
        }
    }

    private static KeyPair rsa() throws IOException {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048, RANDOM);
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IOException("no RSA key generator: " + e.getMessage(), e);
        }
    }

    private static void pem(Path file, Object object) throws IOException {
        try (Writer out = Files.newBufferedWriter(file, StandardCharsets.UTF_8); JcaPEMWriter pem = new JcaPEMWriter(out)) {
            pem.writeObject(object);
        }
    }
}
