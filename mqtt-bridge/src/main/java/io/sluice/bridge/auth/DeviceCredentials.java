package io.sluice.bridge.auth;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import io.sluice.schemas.mqtt.MqttTopics;

/**
 * The credentials file: one device per line, {@code <device id> <hash>}, the hash as written by
 * {@link PasswordHash#text()}; blank lines and lines starting with {@code #} are ignored. The device id
 * is the MQTT username, and the only device the connection may publish for.
 */
public final class DeviceCredentials {

    private final Map<String, PasswordHash> hashes;

    private DeviceCredentials(Map<String, PasswordHash> hashes) {
        this.hashes = hashes;
    }

    /**
     * Reads and validates a credentials file.
     *
     * @throws IllegalArgumentException naming the file and line of the first mistake
     */
    public static DeviceCredentials read(Path file) throws IOException {
        return parse(file.toString(), Files.readAllLines(file, StandardCharsets.UTF_8));
    }

    static DeviceCredentials parse(String source, byte[] content) {
        return parse(source, new String(content, StandardCharsets.UTF_8).lines().toList());
    }

    static DeviceCredentials parse(String source, List<String> lines) {
        Map<String, PasswordHash> hashes = new HashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] fields = line.split("\\s+");
            String where = source + " line " + (i + 1) + ": ";
            if (fields.length != 2) {
                throw new IllegalArgumentException(where + "expected '<device id> <hash>'");
            }
            if (!MqttTopics.isValidDeviceId(fields[0])) {
                throw new IllegalArgumentException(where + "'" + fields[0] + "' is not a valid device id");
            }
            try {
                if (hashes.put(fields[0], PasswordHash.parse(fields[1])) != null) {
                    throw new IllegalArgumentException("device '" + fields[0] + "' is listed twice");
                }
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(where + e.getMessage());
            }
        }
        return new DeviceCredentials(Map.copyOf(hashes));
    }

    public Optional<PasswordHash> hashOf(String deviceId) {
        return Optional.ofNullable(hashes.get(deviceId));
    }

    public int size() {
        return hashes.size();
    }

    /** The devices of this version that {@code newer} removes or gives another secret: their sessions must end. */
    public Set<String> revokedBy(DeviceCredentials newer) {
        Set<String> revoked = new HashSet<>();
        hashes.forEach((device, hash) -> {
            PasswordHash now = newer.hashes.get(device);
            if (now == null || !now.text().equals(hash.text())) {
                revoked.add(device);
            }
        });
        return revoked;
    }

    /** The iteration count most entries use: an unknown device's login costs as much (no timing oracle). */
    public int commonIterations() {
        Map<Integer, Integer> counts = new HashMap<>();
        hashes.values().forEach(hash -> counts.merge(hash.iterations(), 1, Integer::sum));
        return counts.entrySet().stream().max(Map.Entry.comparingByValue()).map(Map.Entry::getKey)
                .orElse(PasswordHash.DEFAULT_ITERATIONS);
    }
}
