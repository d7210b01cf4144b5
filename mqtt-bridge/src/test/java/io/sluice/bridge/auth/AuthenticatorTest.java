package io.sluice.bridge.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Optional;

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

    @Test
    void verifyTellsUnknownDevicesBadSecretsAndMissingCredentialsApart() throws Exception {
        Authenticator auth = Authenticator.load(write("c", List.of("# fleet", "", entry("dev-1", "one"))));
        assertEquals(Optional.empty(), auth.verify("dev-1", "one"));
        assertEquals(Optional.empty(), auth.verify("dev-1", "one"), "again, from what was remembered");
        assertEquals(Optional.of(Authenticator.Failure.BAD_PASSWORD), auth.verify("dev-1", "two"));
        assertEquals(Optional.of(Authenticator.Failure.UNKNOWN_DEVICE), auth.verify("dev-2", "one"));
        assertEquals(Optional.of(Authenticator.Failure.NO_CREDENTIALS), auth.verify(null, null));
    }

    @Test
    void aChangedFileIsReloadedAndAChangedSecretNoLongerWorks() throws Exception {
        Path file = write("c", List.of(entry("dev-1", "old")));
        Authenticator auth = Authenticator.load(file);
        assertEquals(Optional.empty(), auth.verify("dev-1", "old"));
        Files.write(file, List.of(entry("dev-1", "new"), entry("dev-2", "two")));
        Files.setLastModifiedTime(file, FileTime.fromMillis(System.currentTimeMillis() + 5000));
        assertTrue(auth.reloadIfChanged());
        assertEquals(Optional.of(Authenticator.Failure.BAD_PASSWORD), auth.verify("dev-1", "old"));
        assertEquals(Optional.empty(), auth.verify("dev-1", "new"));
        assertEquals(2, auth.devices());
        assertFalse(auth.reloadIfChanged(), "unchanged");
    }

    @Test
    void aBrokenFileIsReportedAndTheDevicesLoadedBeforeKeepWorking() throws Exception {
        Path file = write("c", List.of(entry("dev-1", "one")));
        Authenticator auth = Authenticator.load(file);
        Files.write(file, List.of(entry("dev-1", "one"), "dev-2 not-a-hash"));
        Files.setLastModifiedTime(file, FileTime.fromMillis(System.currentTimeMillis() + 5000));
        assertFalse(auth.reloadIfChanged());
        assertEquals(Optional.empty(), auth.verify("dev-1", "one"));
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
