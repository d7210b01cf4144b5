package io.sluice.schemas.mqtt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MqttTopicsTest {

    @Test
    void theDeviceIdComesFromTheTelemetryTopic() {
        assertEquals(Optional.of("pump-7.a:b_c"), MqttTopics.deviceIdOfTelemetry("devices/pump-7.a:b_c/telemetry"));
        assertEquals("devices/dev-1/telemetry", MqttTopics.telemetry("dev-1"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"devices//telemetry", "devices/a/b/telemetry", "devices/a/state", "other/a/telemetry",
            "devices/+/telemetry", "devices/#/telemetry", "devices/a b/telemetry", "/devices/a/telemetry"})
    void topicsOutsideTheLayoutHaveNoDevice(String topic) {
        assertTrue(MqttTopics.deviceIdOfTelemetry(topic).isEmpty(), topic);
    }

    @Test
    void topicsWhosePrefixAndSuffixOverlapNameNoDevice() {
        // Found by EdgeFuzzIT (TopicFuzzer): this topic threw StringIndexOutOfBoundsException in the bridge.
        assertEquals(Optional.empty(), MqttTopics.deviceIdOfTelemetry("devices/telemetry"));
        assertEquals(Optional.empty(), MqttTopics.deviceIdOfTelemetry("devices//telemetry"));
        assertEquals(Optional.empty(), MqttTopics.deviceIdOfTelemetry("devices/"));
    }

    @Test
    void deviceIdsAreBoundedInLength() {
        String longest = "d".repeat(MqttTopics.MAX_DEVICE_ID_LENGTH);
        assertTrue(MqttTopics.deviceIdOfTelemetry(MqttTopics.telemetry(longest)).isPresent());
        assertTrue(MqttTopics.deviceIdOfTelemetry("devices/" + longest + "d/telemetry").isEmpty());
        assertThrows(IllegalArgumentException.class, () -> MqttTopics.telemetry(longest + "d"));
    }
}
