package io.sluice.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A certificate authority made for one test with Debian's {@code openssl}: a server certificate for
 * 127.0.0.1 and device certificates whose CN is the device id. Keys are PKCS#8 PEM, as Vert.x reads them.
 */
public final class TestCertificates {

    /** A certificate and its key, as PEM files. */
    public record Pair(Path certificate, Path key) {
    }

    private final Path dir;
    private final Path caCertificate;
    private final Path caKey;

    private TestCertificates(Path dir) {
        this.dir = dir;
        this.caCertificate = dir.resolve("ca.crt");
        this.caKey = dir.resolve("ca.key");
    }

    /** A new CA, named {@code name}, in a new folder under {@code parent}. */
    public static TestCertificates authority(Path parent, String name) throws IOException, InterruptedException {
        Path dir = Files.createDirectories(parent.resolve(name));
        TestCertificates ca = new TestCertificates(dir);
        ca.openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=" + name,
                "-keyout", ca.caKey.toString(), "-out", ca.caCertificate.toString());
        return ca;
    }

    public Path certificate() {
        return caCertificate;
    }

    /** A server certificate for 127.0.0.1 (subject alternative name IP:127.0.0.1). */
    public Pair server() throws IOException, InterruptedException {
        return issue("server", "127.0.0.1", "subjectAltName=IP:127.0.0.1");
    }

    /** A client certificate whose CN is the device id. */
    public Pair device(String deviceId) throws IOException, InterruptedException {
        return issue("device-" + deviceId, deviceId, "extendedKeyUsage=clientAuth");
    }

    private Pair issue(String name, String commonName, String extension) throws IOException, InterruptedException {
        Path key = dir.resolve(name + ".key");
        Path request = dir.resolve(name + ".csr");
        Path certificate = dir.resolve(name + ".crt");
        Path extensions = dir.resolve(name + ".ext");
        Files.writeString(extensions, extension + "\n", StandardCharsets.UTF_8);
        openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=" + commonName, "-keyout", key.toString(),
                "-out", request.toString());
        openssl("x509", "-req", "-in", request.toString(), "-CA", caCertificate.toString(), "-CAkey", caKey.toString(),
                "-CAcreateserial", "-days", "2", "-extfile", extensions.toString(), "-out", certificate.toString());
        return new Pair(certificate, key);
    }

    private void openssl(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(ExternalProgram.find("openssl", "openssl"));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IllegalStateException("openssl " + String.join(" ", args) + " failed: " + output);
        }
    }
}
