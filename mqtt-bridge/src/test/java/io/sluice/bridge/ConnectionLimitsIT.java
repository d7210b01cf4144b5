package io.sluice.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttVersion;
import io.sluice.schemas.avro.DeadLetter;
import io.sluice.schemas.avro.DeviceSession;
import io.sluice.schemas.kafka.Topics;
import io.sluice.testing.Await;
import io.sluice.testing.KafkaRecords;
import io.sluice.testing.KafkaTestCluster;
import io.sluice.testing.MosquittoPub;
import io.sluice.testing.RawMqttClient;

/**
 * The bridge's limits, each on a bridge of its own configured tight, on a real Kafka broker, with
 * Debian's mosquitto clients: every refusal carries its reason code and is a session event.
 */
class ConnectionLimitsIT {

    private static final String READING = "{\"metrics\":{\"t\":1}}";
    private static KafkaTestCluster kafka;

    @BeforeAll
    static void start() throws Exception {
        kafka = KafkaTestCluster.start();
    }

    @AfterAll
    static void stop() throws Exception {
        kafka.close();
    }

    private static MqttBridge bridge(String id, Map<String, Object> settings) throws Exception {
        Map<String, Object> config = new HashMap<>(Map.of(
                BridgeConfig.BRIDGE_ID, id,
                BridgeConfig.KAFKA_BOOTSTRAP_SERVERS, kafka.bootstrapServers(),
                BridgeConfig.MQTT_HOST, "127.0.0.1", BridgeConfig.MQTT_PORT, 0, BridgeConfig.MQTT_WS_PORT, -1,
                BridgeConfig.OPS_HOST, "127.0.0.1", BridgeConfig.OPS_PORT, 0,
                BridgeConfig.DRAIN_GRACE_MS, 0L, BridgeConfig.AUTH_ANONYMOUS, true));
        config.putAll(settings);
        return MqttBridge.start(new BridgeConfig(config));
    }

    private static DeviceSession lastSessionOf(String clientId) {
        return KafkaRecords.awaitMatching(kafka.bootstrapServers(), Topics.DEVICE_SESSIONS.name(), Topics.DEVICE_SESSIONS::decode,
                s -> s.getClientId().equals(clientId), 1).get(0);
    }

    private static String metrics(MqttBridge bridge) throws Exception {
        return io.sluice.testing.Scrape.metrics(bridge.opsPort());
    }

    @Test
    void anAddressOnTheDenyListIsBanned() throws Exception {
        try (MqttBridge bridge = bridge("deny", Map.of(BridgeConfig.ADDRESS_DENY, "10.0.0.0/8,127.0.0.0/8"))) {
            MosquittoPub.Result v5 = MosquittoPub.publish(bridge.mqttPort(), "banned-5", "devices/banned-5/telemetry", READING, 1, "mqttv5");
            assertEquals(0x8A, v5.connackCode(), v5.output());
            MosquittoPub.Result v3 = MosquittoPub.publish(bridge.mqttPort(), "banned-3", "devices/banned-3/telemetry", READING, 1, "mqttv311");
            assertEquals(5, v3.connackCode(), v3.output());
            assertEquals("BANNED_ADDRESS", lastSessionOf("banned-5").getReason());
        }
        try (MqttBridge bridge = bridge("allow", Map.of(BridgeConfig.ADDRESS_ALLOW, "10.0.0.0/8"))) {
            MosquittoPub.Result outside = MosquittoPub.publish(bridge.mqttPort(), "outside", "devices/outside/telemetry", READING, 1,
                    "mqttv5");
            assertEquals(0x8A, outside.connackCode(), "an allow list admits only its ranges: " + outside.output());
        }
    }

    @Test
    void overTheConnectionLimitTheServerIsBusy() throws Exception {
        try (MqttBridge bridge = bridge("full", Map.of(BridgeConfig.MAX_CONNECTIONS, 1));
             RawMqttClient first = RawMqttClient.connect(bridge.mqttPort(), "first", MqttVersion.MQTT_3_1_1)) {
            assertEquals(MqttMessageType.CONNACK, first.next(Duration.ofSeconds(5)).fixedHeader().messageType());
            MosquittoPub.Result second = MosquittoPub.publish(bridge.mqttPort(), "second", "devices/second/telemetry", READING, 1,
                    "mqttv5");
            assertEquals(0x89, second.connackCode(), second.output());
            assertEquals("TOO_MANY_CONNECTIONS", lastSessionOf("second").getReason());
        }
    }

    @Test
    void reconnectingFasterThanTheConnectRateIsRefused() throws Exception {
        try (MqttBridge bridge = bridge("connect-rate", Map.of(BridgeConfig.CONNECT_RATE_PER_DEVICE, 0.01,
                BridgeConfig.CONNECT_BURST_PER_DEVICE, 2))) {
            for (int i = 0; i < 2; i++) {
                MosquittoPub.Result within = MosquittoPub.publish(bridge.mqttPort(), "flapping", "devices/flapping/telemetry",
                        READING, 1, "mqttv5");
                assertEquals(0, within.connackCode(), within.output());
            }
            MosquittoPub.Result over = MosquittoPub.publish(bridge.mqttPort(), "flapping", "devices/flapping/telemetry", READING, 1,
                    "mqttv5");
            assertEquals(0x9F, over.connackCode(), over.output());
            MosquittoPub.Result other = MosquittoPub.publish(bridge.mqttPort(), "steady", "devices/steady/telemetry", READING, 1,
                    "mqttv5");
            assertEquals(0, other.connackCode(), "the limit is per client id: " + other.output());
            assertTrue(metrics(bridge).lines().anyMatch(line -> line.startsWith("sluice_bridge_rate_limited_total{")
                    && line.contains("limit=\"connect.per.device\"")));
        }
    }

    @Test
    void aDeviceOverItsPublishRateIsSlowedDownNotDropped() throws Exception {
        int publishes = 40;
        // Readings of about 3 KB, so that the bridge reads them a few at a time: pausing a connection acts
        // on what it reads next, not on packets already read.
        String padding = " ".repeat(3000);
        try (MqttBridge bridge = bridge("publish-rate", Map.of(BridgeConfig.PUBLISH_RATE_PER_DEVICE, 20.0,
                BridgeConfig.PUBLISH_BURST_PER_DEVICE, 5));
             RawMqttClient device = RawMqttClient.connect(bridge.mqttPort(), "chatty", MqttVersion.MQTT_3_1_1)) {
            device.next(Duration.ofSeconds(5));
            long start = System.nanoTime();
            for (int i = 1; i <= publishes; i++) {
                device.publish("devices/chatty/telemetry", ("{\"seq\":" + i + ",\"metrics\":{\"t\":1}}" + padding).getBytes(),
                        MqttQoS.AT_LEAST_ONCE, i, false);
            }
            for (int i = 1; i <= publishes; i++) {
                assertEquals(MqttMessageType.PUBACK, device.next(Duration.ofSeconds(10)).fixedHeader().messageType());
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            // 5 at once, then 20/s: 35 more take about 1.75 s. Every publish is acknowledged; none is dropped.
            assertTrue(seconds >= 1.0, "the bridge paced the device: " + seconds + " s");
            assertTrue(metrics(bridge).lines().anyMatch(line -> line.startsWith("sluice_bridge_rate_limited_total{")
                    && line.contains("limit=\"publish\"")));
        }
        List<Long> seqs = Await.until("the readings of chatty", Duration.ofSeconds(10),
                () -> KafkaRecords.readToEnd(kafka.bootstrapServers(), Topics.TELEMETRY_RAW.name(), Topics.TELEMETRY_RAW::decode)
                        .stream().filter(e -> e.getDeviceId().equals("chatty")).map(e -> e.getSeq()).toList(),
                found -> found.size() >= publishes);
        assertEquals(publishes, seqs.size());
    }

    @Test
    void anOversizedPayloadIsDeadLetteredWithItsSizeAndTheDeviceGets0x99() throws Exception {
        try (MqttBridge bridge = bridge("small", Map.of(BridgeConfig.PAYLOAD_MAX_BYTES, 64))) {
            String big = "{\"metrics\":{\"temperature\":21.5,\"humidity\":40.0,\"pressure\":1013.25,\"wind\":3.5}}";
            MosquittoPub.Result result = MosquittoPub.publish(bridge.mqttPort(), "big", "devices/big/telemetry", big, 1, "mqttv5");
            assertEquals(0x99, result.ackReasonCode(), result.output());
            DeadLetter letter = Await.until("the dead letter of big", Duration.ofSeconds(10),
                    () -> KafkaRecords.readToEnd(kafka.bootstrapServers(), Topics.DEAD_LETTER.name(), Topics.DEAD_LETTER::decode)
                            .stream().filter(d -> d.getDeviceId().equals("big")).toList(),
                    letters -> !letters.isEmpty()).get(0);
            assertEquals("TOO_LARGE", letter.getReason());
            assertEquals(big.length(), letter.getPayloadSize());
        }
    }

    @Test
    void devicesCannotSubscribeAndAreToldSo() throws Exception {
        try (MqttBridge bridge = bridge("no-subscribe", Map.of())) {
            Process sub = new ProcessBuilder("mosquitto_sub", "-h", "127.0.0.1", "-p", Integer.toString(bridge.mqttPort()),
                    "-V", "mqttv5", "-i", "listener", "-t", "devices/+/telemetry", "-C", "1", "-W", "3", "-d")
                    .redirectErrorStream(true).start();
            assertTrue(sub.waitFor(20, TimeUnit.SECONDS));
            String output = new String(sub.getInputStream().readAllBytes());
            assertTrue(output.contains("received SUBACK"), output);
            assertTrue(output.contains("Subscription denied") || output.contains("128"), "SUBACK with the failure code: " + output);
        }
    }
}
