package io.sluice.bridge.auth;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

import io.sluice.schemas.mqtt.MqttTopics;

/**
 * A credentials file as a user edits it ({@code ./sluice device add|remove|list}): one line per device, its id and the
 * PBKDF2 hash of its secret ({@link DeviceCredentials} reads the same file in the bridges). Every change replaces the
 * file atomically, owner-only, so that a bridge reloading it never reads half of it. Mistakes are
 * {@link IllegalArgumentException}s with a one-line message.
 */
public final class CredentialsFile {

    private final Path file;

    public CredentialsFile(Path file) {
        this.file = file;
    }

    public Path path() {
        return file;
    }

    /** The device ids in the file, sorted. */
    public List<String> devices() throws IOException {
        return lines().stream().map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#"))
                .map(l -> l.split("\\s+")[0]).sorted().toList();
    }

    /**
     * Adds a device (or replaces its line) with the hash of {@code secret}, hashed with {@code iterations} rounds.
     *
     * @return whether the device was already in the file
     */
    public boolean add(String deviceId, String secret, int iterations) throws IOException {
        requireDeviceId(deviceId);
        if (iterations < PasswordHash.MIN_ITERATIONS || iterations > PasswordHash.MAX_ITERATIONS) {
            throw new IllegalArgumentException("--iterations must be between " + PasswordHash.MIN_ITERATIONS + " and "
                    + PasswordHash.MAX_ITERATIONS);
        }
        if (secret == null || secret.isEmpty()) {
            throw new IllegalArgumentException("the secret is empty");
        }
        List<String> lines = lines();
        List<String> updated = without(lines, deviceId);
        updated.add(deviceId + " " + PasswordHash.of(secret, iterations).text());
        write(file, updated);
        return updated.size() == lines.size();
    }

    public void remove(String deviceId) throws IOException {
        requireDeviceId(deviceId);
        List<String> lines = lines();
        List<String> kept = without(lines, deviceId);
        if (kept.size() == lines.size()) {
            throw new IllegalArgumentException("device '" + deviceId + "' is not in " + file);
        }
        write(file, kept);
    }

    /** The file's lines, checked: a file that does not parse is refused before anything is changed. */
    private List<String> lines() throws IOException {
        List<String> lines = Files.exists(file) ? new ArrayList<>(Files.readAllLines(file, StandardCharsets.UTF_8)) : new ArrayList<>();
        DeviceCredentials.parse(file.toString(), lines);
        return lines;
    }

    private static void requireDeviceId(String deviceId) {
        if (!MqttTopics.isValidDeviceId(deviceId)) {
            throw new IllegalArgumentException("'" + deviceId + "' is not a valid device id (1 to "
                    + MqttTopics.MAX_DEVICE_ID_LENGTH + " of A-Z a-z 0-9 . _ : -)");
        }
    }

    private static List<String> without(List<String> lines, String device) {
        List<String> kept = new ArrayList<>();
        for (String line : lines) {
            String[] fields = line.strip().split("\\s+");
            if (!(fields.length > 0 && fields[0].equals(device))) {
                kept.add(line);
            }
        }
        return kept;
    }

    /** Replaces the file atomically with {@code lines} (owner-only permissions), so a bridge reloading it never reads half of it. */
    public static void write(Path file, List<String> lines) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        Path temp = Files.createTempFile(parent, ".credentials", ".tmp");
        try {
            Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException ignored) {
            // not a POSIX file system: the directory's permissions have to do
        }
        Files.write(temp, lines, StandardCharsets.UTF_8);
        Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
