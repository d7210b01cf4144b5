package io.sluice.schemas.mqtt;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The MQTT topic layout devices publish to: {@code devices/{deviceId}/telemetry}.
 *
 * <p>A device id is 1 to 128 characters from {@code [A-Za-z0-9._:-]}; it becomes the Kafka key
 * and the ClickHouse {@code device_id}.
 */
public final class MqttTopics {

    public static final int MAX_DEVICE_ID_LENGTH = 128;

    private static final String PREFIX = "devices/";
    private static final String TELEMETRY_SUFFIX = "/telemetry";
    private static final Pattern DEVICE_ID = Pattern.compile("[A-Za-z0-9._:-]{1," + MAX_DEVICE_ID_LENGTH + "}");

    private MqttTopics() {
    }

    /** The telemetry topic of a device. */
    public static String telemetry(String deviceId) {
        if (!isValidDeviceId(deviceId)) {
            throw new IllegalArgumentException("not a valid device id: " + deviceId);
        }
        return PREFIX + deviceId + TELEMETRY_SUFFIX;
    }

    /** The device id of a telemetry topic, or empty when the topic is outside the layout. */
    public static Optional<String> deviceIdOfTelemetry(String topic) {
        // "devices/telemetry" starts with the prefix and ends with the suffix, which overlap: no room for an id.
        if (topic == null || topic.length() <= PREFIX.length() + TELEMETRY_SUFFIX.length() || !topic.startsWith(PREFIX)
                || !topic.endsWith(TELEMETRY_SUFFIX)) {
            return Optional.empty();
        }
        String deviceId = topic.substring(PREFIX.length(), topic.length() - TELEMETRY_SUFFIX.length());
        return isValidDeviceId(deviceId) ? Optional.of(deviceId) : Optional.empty();
    }

    public static boolean isValidDeviceId(String deviceId) {
        return deviceId != null && DEVICE_ID.matcher(deviceId).matches();
    }
}
