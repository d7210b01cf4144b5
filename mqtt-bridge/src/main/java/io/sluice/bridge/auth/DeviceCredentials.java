package io.sluice.bridge.auth;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

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
}
