package io.sluice.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.netty.handler.codec.mqtt.MqttConnAckMessage;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttReasonCodeAndPropertiesVariableHeader;
import io.netty.handler.codec.mqtt.MqttVersion;
import io.sluice.schemas.kafka.Topics;
import io.sluice.schemas.mqtt.PayloadLimits;
import io.sluice.testing.KafkaRecords;
import io.sluice.testing.KafkaTestCluster;
import io.sluice.testing.RawMqttClient;

/**
 * Every socket and byte within a bound, each on a bridge of its own configured tight, on a real Kafka broker: sockets
 * that never send CONNECT, keep-alive 0, WebSocket frames and their compression.
 */
class EdgeBoundsIT {

    private static final Duration WAIT = Duration.ofSeconds(15);
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
                BridgeConfig.MQTT_HOST, "127.0.0.1", BridgeConfig.MQTT_PORT, 0, BridgeConfig.MQTT_WS_PORT, 0,
                BridgeConfig.OPS_HOST, "127.0.0.1", BridgeConfig.OPS_PORT, 0,
                BridgeConfig.DRAIN_GRACE_MS, 0L, BridgeConfig.AUTH_ANONYMOUS, true));
        config.putAll(settings);
        return MqttBridge.start(new BridgeConfig(config));
    }

    private static MqttConnectReturnCode connect(MqttBridge bridge, String clientId) throws Exception {
        try (RawMqttClient client = RawMqttClient.open("127.0.0.1", bridge.mqttPort(), MqttVersion.MQTT_5)
                .login(clientId, 60, null, null)) {
            return client.connack(WAIT).variableHeader().connectReturnCode();
        }
    }

    @Test
    void socketsThatNeverSendConnectCountAgainstTheLimitUntilTheConnectTimeoutClosesThem() throws Exception {
        try (MqttBridge bridge = bridge("idle", Map.of(BridgeConfig.MAX_CONNECTIONS, 3,
                BridgeConfig.MQTT_CONNECT_TIMEOUT_SECONDS, 2))) {
            List<RawMqttClient> idle = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                idle.add(RawMqttClient.open("127.0.0.1", bridge.mqttPort(), MqttVersion.MQTT_5));
            }
            try {
                assertEquals(MqttConnectReturnCode.CONNECTION_REFUSED_SERVER_BUSY, connect(bridge, "late-device"),
                        "three silent sockets fill a bridge of three connections");
                for (RawMqttClient socket : idle) {
                    assertTrue(socket.closedWithin(WAIT), "a socket silent past the connect timeout is closed");
                }
                assertEquals(MqttConnectReturnCode.CONNECTION_ACCEPTED, connect(bridge, "late-device"));
            } finally {
                for (RawMqttClient socket : idle) {
                    socket.close();
                }
            }
        }
    }

    @Test
    void aDeviceAskingForNoKeepAliveIsHeldToTheMaximumAndClosedWhenSilent() throws Exception {
        try (MqttBridge bridge = bridge("keepalive", Map.of(BridgeConfig.MQTT_KEEP_ALIVE_MAX_SECONDS, 2));
             RawMqttClient device = RawMqttClient.open("127.0.0.1", bridge.mqttPort(), MqttVersion.MQTT_5)
                     .login("forever", 0, null, null)) {
            MqttConnAckMessage connack = device.connack(WAIT);
            assertEquals(MqttConnectReturnCode.CONNECTION_ACCEPTED, connack.variableHeader().connectReturnCode());
            MqttProperties.MqttProperty<?> serverKeepAlive = connack.variableHeader().properties()
                    .getProperty(MqttProperties.MqttPropertyType.SERVER_KEEP_ALIVE.value());
            assertEquals(2, serverKeepAlive == null ? null : serverKeepAlive.value(), "told the keep-alive it is held to");
            long start = System.nanoTime();
            MqttMessage disconnect = device.next(WAIT);
            assertEquals(MqttMessageType.DISCONNECT, disconnect.fixedHeader().messageType());
            assertEquals(0x8D, ((MqttReasonCodeAndPropertiesVariableHeader) disconnect.variableHeader()).reasonCode() & 0xff,
                    "keep-alive timeout");
            assertTrue(device.closedWithin(WAIT));
            long silentMs = (System.nanoTime() - start) / 1_000_000;
            assertTrue(silentMs >= 2_000 && silentMs < 6_000, "closed after " + silentMs + " ms of silence (1.5 x 2 s)");
        }
    }

    @Test
    void aWebSocketPublishOfTheLargestPayloadIsAcceptedAsOnTcp() throws Exception {
        String reading = "{\"seq\":1,\"metrics\":{\"t\":1}}";
        byte[] payload = (reading + " ".repeat(PayloadLimits.DEFAULT_MAX_PAYLOAD_BYTES - reading.length()))
                .getBytes(StandardCharsets.UTF_8);
        try (MqttBridge bridge = bridge("ws-large", Map.of())) {
            MqttClient client = new MqttClient("ws://127.0.0.1:" + bridge.webSocketPort() + "/mqtt", "ws-large",
                    new MemoryPersistence());
            MqttConnectOptions options = new MqttConnectOptions();
            options.setConnectionTimeout(10);
            options.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
            client.setTimeToWait(10_000);
            try {
                client.connect(options);
                client.publish("devices/ws-large/telemetry", payload, 1, false); // returns once PUBACK arrived
                client.disconnect();
            } finally {
                client.close();
            }
        }
        assertEquals(1, KafkaRecords.awaitMatching(kafka.bootstrapServers(), Topics.TELEMETRY_RAW.name(),
                Topics.TELEMETRY_RAW::decode, e -> e.getDeviceId().equals("ws-large"), 1).size());
    }

    @Test
    void webSocketCompressionIsNotOfferedSoNoFrameInflatesPastThePacketLimit() throws Exception {
        try (MqttBridge bridge = bridge("ws-deflate", Map.of());
             Socket socket = new Socket("127.0.0.1", bridge.webSocketPort())) {
            OutputStream out = socket.getOutputStream();
            out.write(("GET /mqtt HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
                    + "Sec-WebSocket-Protocol: mqtt\r\n"
                    + "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits, deflate-frame\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            socket.setSoTimeout(10_000);
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
            List<String> headers = new ArrayList<>();
            for (String line; (line = in.readLine()) != null && !line.isEmpty(); ) {
                headers.add(line);
            }
            assertTrue(headers.get(0).contains(" 101 "), "upgraded: " + headers);
            assertFalse(headers.stream().anyMatch(h -> h.toLowerCase().startsWith("sec-websocket-extensions")),
                    "no compression extension accepted: " + headers);
        }
    }
}
