package io.sluice.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttVersion;
import io.sluice.bridge.auth.CredentialsFile;
import io.sluice.bridge.auth.PasswordHash;
import io.sluice.schemas.avro.DeviceSession;
import io.sluice.schemas.kafka.Topics;
import io.sluice.testing.KafkaRecords;
import io.sluice.testing.KafkaTestCluster;
import io.sluice.testing.RawMqttClient;

/**
 * One session per client id across two bridges sharing one Kafka (as behind HAProxy): a device that connects to the
 * second bridge is taken off the first (DISCONNECT 0x8E), and two connections racing for one client id on both bridges
 * leave exactly one.
 */
class ClusterSessionsIT {

    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    static Path dir;
    private static KafkaTestCluster kafka;
    private static MqttBridge east;
    private static MqttBridge west;
    private static final Map<String, String> SECRETS = new HashMap<>();

    @BeforeAll
    static void start() throws Exception {
        kafka = KafkaTestCluster.start();
        Path credentials = dir.resolve("credentials");
        for (String device : List.of("dev-roaming", "dev-racing")) {
            String secret = PasswordHash.newSecret();
            new CredentialsFile(credentials).add(device, secret, PasswordHash.MIN_ITERATIONS);
            SECRETS.put(device, secret);
        }
        east = bridge("east", credentials);
        west = bridge("west", credentials);
    }

    private static MqttBridge bridge(String id, Path credentials) throws Exception {
        return MqttBridge.start(new BridgeConfig(Map.of(BridgeConfig.BRIDGE_ID, id,
                BridgeConfig.KAFKA_BOOTSTRAP_SERVERS, kafka.bootstrapServers(),
                BridgeConfig.MQTT_HOST, "127.0.0.1", BridgeConfig.MQTT_PORT, 0, BridgeConfig.MQTT_WS_PORT, -1,
                BridgeConfig.AUTH_CREDENTIALS_FILE, credentials.toString(),
                BridgeConfig.OPS_HOST, "127.0.0.1", BridgeConfig.OPS_PORT, 0, BridgeConfig.DRAIN_GRACE_MS, 0L)));
    }

    @AfterAll
    static void stop() throws Exception {
        east.close();
        west.close();
        kafka.close();
    }

    private static RawMqttClient loggedIn(MqttBridge bridge, String device) throws Exception {
        RawMqttClient client = RawMqttClient.open("127.0.0.1", bridge.mqttPort(), MqttVersion.MQTT_5)
                .login(device, 60, device, SECRETS.get(device));
        assertEquals(MqttConnectReturnCode.CONNECTION_ACCEPTED, client.connack(WAIT).variableHeader().connectReturnCode());
        return client;
    }

    @Test
    void aDeviceConnectingToAnotherBridgeIsTakenOffTheFirst() throws Exception {
        try (RawMqttClient first = loggedIn(east, "dev-roaming")) {
            KafkaRecords.awaitMatching(kafka.bootstrapServers(), Topics.DEVICE_SESSIONS.name(), Topics.DEVICE_SESSIONS::decode,
                    (DeviceSession s) -> s.getDeviceId().equals("dev-roaming") && s.getEvent().equals("CONNECTED"), 1);
            try (RawMqttClient second = loggedIn(west, "dev-roaming")) {
                assertEquals(0x8E, first.disconnectReason(WAIT), "the session on the other bridge taken over");
                second.publish("devices/dev-roaming/telemetry", "{\"seq\":1,\"metrics\":{\"t\":1}}".getBytes(StandardCharsets.UTF_8),
                        MqttQoS.AT_LEAST_ONCE, 7, false);
                assertEquals(MqttMessageType.PUBACK, second.next(WAIT).fixedHeader().messageType(), "the newer session goes on");
                assertFalse(second.closedWithin(Duration.ofSeconds(2)));
            }
        }
    }

    @Test
    void twoConnectionsRacingForOneClientIdOnTwoBridgesLeaveOne() throws Exception {
        try (RawMqttClient onEast = loggedIn(east, "dev-racing"); RawMqttClient onWest = loggedIn(west, "dev-racing")) {
            long deadline = System.nanoTime() + WAIT.toNanos();
            boolean eastClosed = false;
            boolean westClosed = false;
            while (!eastClosed && !westClosed && System.nanoTime() < deadline) {
                eastClosed = onEast.closedWithin(Duration.ofMillis(100));
                westClosed = onWest.closedWithin(Duration.ofMillis(100));
            }
            assertTrue(eastClosed || westClosed, "one of the two taken over within " + WAIT);
            RawMqttClient survivor = eastClosed ? onWest : onEast;
            assertFalse(survivor.closedWithin(Duration.ofSeconds(3)), "the other stays");
            assertEquals(0x8E, (eastClosed ? onEast : onWest).disconnectReason(WAIT));
        }
    }
}
