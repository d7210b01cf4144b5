package io.sluice.load;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import io.sluice.bridge.auth.CredentialsFile;
import io.sluice.bridge.auth.PasswordHash;

/**
 * Credentials for a simulated fleet, as real devices have: each device logs in with its own id as
 * user name and its own password, derived from a fleet secret (HMAC-SHA256 of the device id), so the
 * simulator needs no table of passwords. {@link #provision} puts the devices into the bridges'
 * credentials file (which they reload by themselves) and {@link #withdraw} takes them out again.
 * The hashes use the fewest PBKDF2 iterations the bridges accept, so that thousands of devices can be
 * provisioned and log in quickly; real devices' entries keep the default.
 */
final class FleetCredentials {

    private FleetCredentials() {
    }

    static String password(String fleetSecret, String deviceId) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(fleetSecret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            byte[] digest = mac.doFinal(deviceId.getBytes(StandardCharsets.UTF_8));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(digest).substring(0, 24);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is missing from this JVM", e);
        }
    }

    /** Adds (or replaces) an entry for every device of the run in {@code file}. */
    static void provision(Path file, FleetOptions options) throws IOException {
        List<String> lines = linesWithoutRun(file, options.runId());
        for (int i = 0; i < options.devices(); i++) {
            String device = options.deviceId(i);
            lines.add(device + " " + PasswordHash.of(password(options.fleetSecret(), device), PasswordHash.MIN_ITERATIONS).text());
        }
        CredentialsFile.write(file, lines);
    }

    /** Removes the run's devices from {@code file}. */
    static void withdraw(Path file, String runId) throws IOException {
        if (Files.exists(file)) {
            CredentialsFile.write(file, linesWithoutRun(file, runId));
        }
    }

    private static List<String> linesWithoutRun(Path file, String runId) throws IOException {
        List<String> kept = new ArrayList<>();
        if (Files.exists(file)) {
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                if (!line.strip().startsWith(runId + "-")) {
                    kept.add(line);
                }
            }
        }
        return kept;
    }
}
