package io.sluice.bridge.fuzz;

import java.nio.charset.StandardCharsets;

import io.sluice.schemas.mqtt.MqttTopics;

/**
 * The topic rules: a topic names a device ({@code devices/{id}/telemetry}) only when the id is a valid device id, and
 * the topic made for that id maps back to it. Nothing may throw, whatever the topic.
 */
public final class TopicFuzzer {

    private TopicFuzzer() {
    }

    public static void fuzzerTestOneInput(byte[] data) {
        String topic = new String(data, StandardCharsets.UTF_8);
        MqttTopics.deviceIdOfTelemetry(topic).ifPresent(device -> {
            if (!MqttTopics.isValidDeviceId(device)) {
                throw new IllegalStateException("topic " + topic + " named the invalid device id " + device);
            }
            if (!MqttTopics.deviceIdOfTelemetry(MqttTopics.telemetry(device)).orElseThrow().equals(device)) {
                throw new IllegalStateException("the topic of " + device + " does not map back to it");
            }
        });
    }
}
