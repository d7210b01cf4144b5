package io.sluice.bridge.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuthenticatorTest {

    @TempDir
    Path dir;

    private static String entry(String device, String secret) {
        return device + " " + PasswordHash.of(secret, PasswordHash.MIN_ITERATIONS).text();
    }

    private Path write(String name, List<String> lines) throws Exception {
        Path file = dir.resolve(name);
        Files.write(file, lines);
        return file;
    }

    @Test
    void aHashRoundTripsAndMatchesOnlyItsSecret() {
        PasswordHash hash = PasswordHash.of("s3cret", PasswordHash.MIN_ITERATIONS);
        PasswordHash parsed = PasswordHash.parse(hash.text());
        assertTrue(parsed.matches("s3cret"));
        assertFalse(parsed.matches("s3cret "));
        assertFalse(hash.text().contains("s3cret"));
        assertFalse(hash.toString().contains(hash.text().split("\\$")[3]), "toString never shows the hash");
    }

    @Test
    void twoHashesOfOneSecretDifferByTheirSalt() {
        assertFalse(PasswordHash.of("x", 1000).text().equals(PasswordHash.of("x", 1000).text()));
    }

    private static Authenticator.Failure failure(Authenticator auth, String user, String password) {
        return auth.verify(user, password).failure();
    }

    @Test
    void verifyTellsUnknownDevicesBadSecretsAndMissingCredentialsApart() throws Exception {
        Authenticator auth = Authenticator.load(write("c", List.of("# fleet", "", entry("dev-1", "one"))));
        assertTrue(auth.remembered("dev-1", "one").isEmpty(), "not proved yet");
        assertTrue(auth.verify("dev-1", "one").verified());
        assertTrue(auth.remembered("dev-1", "one").isPresent(), "remembered once proved");
        assertTrue(auth.remembered("dev-1", "two").isEmpty(), "but only that secret");
        assertTrue(auth.verify("dev-1", "one").verified(), "again, from what was remembered");
        assertEquals(Authenticator.Failure.BAD_PASSWORD, failure(auth, "dev-1", "two"));
        assertEquals(Authenticator.Failure.UNKNOWN_DEVICE, failure(auth, "dev-2", "one"));
        assertEquals(Authenticator.Failure.NO_CREDENTIALS, failure(auth, null, null));
    }

    @Test
    void anUnknownDeviceCostsAsMuchAsAWrongPassword() throws Exception {
        int iterations = 200_000;
        Authenticator auth = Authenticator.load(write("c", List.of(
                "dev-1 " + PasswordHash.of("one", iterations).text(), "dev-2 " + PasswordHash.of("two", iterations).text())));
        for (int warm = 0; warm < 3; warm++) {
            auth.verify("dev-1", "wrong");
            auth.verify("nobody", "wrong");
        }
        long wrong = medianNanos(() -> auth.verify("dev-1", "wrong"));
        long unknown = medianNanos(() -> auth.verify("nobody-" + System.nanoTime(), "wrong"));
        double ratio = (double) unknown / wrong;
        assertTrue(ratio > 0.5 && ratio < 2.0, "an unknown device took " + unknown / 1000 + " µs, a wrong password "
                + wrong / 1000 + " µs: the time must not tell them apart");
    }

    private static long medianNanos(Runnable check) {
        long[] times = new long[7];
        for (int i = 0; i < times.length; i++) {
            long start = System.nanoTime();
            check.run();
            times[i] = System.nanoTime() - start;
        }
        java.util.Arrays.sort(times);
        return times[times.length / 2];
    }

    @Test
    void aChangedFileIsReloadedAndAChangedSecretNoLongerWorks() throws Exception {
        Path file = write("c", List.of(entry("dev-1", "old"), entry("dev-3", "three")));
        Authenticator auth = Authenticator.load(file);
        assertTrue(auth.verify("dev-1", "old").verified());
        Files.write(file, List.of(entry("dev-1", "new"), entry("dev-2", "two")));
        assertEquals(java.util.Set.of("dev-1", "dev-3"), auth.reloadIfChanged(), "re-keyed and removed devices are revoked");
        assertEquals(Authenticator.Failure.BAD_PASSWORD, failure(auth, "dev-1", "old"));
        assertTrue(auth.verify("dev-1", "new").verified());
        assertEquals(2, auth.devices());
        assertTrue(auth.reloadIfChanged().isEmpty(), "unchanged");
    }

    @Test
    void aRewriteOfTheSameSizeAndTimeIsStillSeen() throws Exception {
        Path file = write("c", List.of(entry("dev-1", "one")));
        Authenticator auth = Authenticator.load(file);
        FileTime before = Files.getLastModifiedTime(file);
        String replaced = new String(Files.readAllBytes(file)).replace("dev-1", "dev-9");
        Files.writeString(file, replaced);
        Files.setLastModifiedTime(file, before);
        assertEquals(java.util.Set.of("dev-1"), auth.reloadIfChanged());
        assertEquals(Authenticator.Failure.UNKNOWN_DEVICE, failure(auth, "dev-1", "one"));
    }

    @Test
    void aBrokenFileIsReportedAndTheDevicesLoadedBeforeKeepWorking() throws Exception {
        Path file = write("c", List.of(entry("dev-1", "one")));
        Authenticator auth = Authenticator.load(file);
        Files.write(file, List.of(entry("dev-1", "one"), "dev-2 not-a-hash"));
        assertTrue(auth.reloadIfChanged().isEmpty());
        assertTrue(auth.verify("dev-1", "one").verified());
    }

    @Test
    void anEntryAskingForMoreIterationsThanTheBoundIsRefused() {
        String line = "dev-1 pbkdf2-sha256$" + (PasswordHash.MAX_ITERATIONS + 1) + "$c2FsdHNhbHRzYWx0$"
                + java.util.Base64.getEncoder().withoutPadding().encodeToString(new byte[32]);
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> DeviceCredentials.parse("creds", List.of(line)));
        assertTrue(error.getMessage().contains("1000..1000000"), error.getMessage());
    }

    @Test
    void theCertificateDenyListReadsSerialsAsOpensslPrintsThem() {
        java.util.Set<java.math.BigInteger> serials = CertificateDenyList.parse("deny",
                "# revoked\nserial=0A1B\n01:ff\n\n".getBytes());
        assertEquals(java.util.Set.of(java.math.BigInteger.valueOf(0x0a1b), java.math.BigInteger.valueOf(0x01ff)), serials);
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> CertificateDenyList.parse("deny", "zz\n".getBytes()));
        assertEquals("deny line 1: not a hexadecimal serial number", error.getMessage());
    }

    @Test
    void mistakesInTheFileNameTheLine() {
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> DeviceCredentials.parse("creds", List.of("# header", "dev-1 pbkdf2-sha256$10$abc$def")));
        assertTrue(error.getMessage().startsWith("creds line 2: "), error.getMessage());
        assertThrows(IllegalArgumentException.class, () -> DeviceCredentials.parse("creds", List.of("bad/id " + "x")));
        String line = entry("dev-1", "x");
        assertThrows(IllegalArgumentException.class, () -> DeviceCredentials.parse("creds", List.of(line, line)));
    }

    @Test
    void theCredentialsFileAddsReplacesAndRemovesDevices() throws Exception {
        CredentialsFile file = new CredentialsFile(dir.resolve("sub/credentials"));
        assertEquals(false, file.add("dev-1", "secret-1", 1000));
        file.add("dev-2", "secret-2", 1000);
        assertEquals(true, file.add("dev-1", "secret-3", 1000), "a device added again is replaced");
        assertEquals(List.of("dev-1", "dev-2"), file.devices());
        file.remove("dev-1");
        assertEquals(1, DeviceCredentials.read(file.path()).size());
        assertTrue(DeviceCredentials.read(file.path()).hashOf("dev-2").isPresent());
        assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(file.path())));
        assertThrows(IllegalArgumentException.class, () -> file.remove("dev-9"));
        assertThrows(IllegalArgumentException.class, () -> file.add("a/b", "x", 1000));
        assertThrows(IllegalArgumentException.class, () -> file.add("dev-3", "x", 5));
    }
}
