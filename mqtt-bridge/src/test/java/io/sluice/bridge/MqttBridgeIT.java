package io.sluice.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import io.netty.handler.codec.mqtt.MqttQoS;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.mqtt.MqttClient;
import io.vertx.mqtt.MqttClientOptions;
import io.sluice.schemas.avro.DeadLetter;
import io.sluice.schemas.avro.TelemetryEvent;
import io.sluice.schemas.kafka.Topics;
import io.sluice.testing.Await;
import io.sluice.testing.KafkaRecords;
import io.sluice.testing.KafkaTestCluster;
import io.sluice.testing.MosquittoPub;

/** A bridge on a real Kafka broker, spoken to by real MQTT clients over real sockets. */
class MqttBridgeIT {

    private static final int MQTT5_PAYLOAD_FORMAT_INVALID = 0x99;
    private static final int MQTT5_TOPIC_NAME_INVALID = 0x90;

    private static KafkaTestCluster kafka;
    private static MqttBridge bridge;
    private static Vertx vertx;

    @BeforeAll
    static void start() throws Exception {
        kafka = KafkaTestCluster.start();
        bridge = MqttBridge.start(new BridgeConfig(Map.of(
                BridgeConfig.KAFKA_BOOTSTRAP_SERVERS, kafka.bootstrapServers(),
                BridgeConfig.MQTT_HOST, "127.0.0.1", BridgeConfig.MQTT_PORT, 0, BridgeConfig.MQTT_WS_PORT, 0,
                BridgeConfig.OPS_HOST, "127.0.0.1", BridgeConfig.OPS_PORT, 0,
                BridgeConfig.DRAIN_GRACE_MS, 0L, BridgeConfig.AUTH_ANONYMOUS, true)));
        vertx = Vertx.vertx();
    }

    @AfterAll
    static void stop() throws Exception {
        vertx.close().await(10, TimeUnit.SECONDS);
        bridge.close();
        kafka.close();
    }

    /** The raw records of a device, once there are {@code expected} of them (more would fail the caller's check). */
    private static List<TelemetryEvent> rawEventsOf(String deviceId, int expected) {
        return KafkaRecords.awaitMatching(kafka.bootstrapServers(), Topics.TELEMETRY_RAW.name(), Topics.TELEMETRY_RAW::decode,
                e -> e.getDeviceId().equals(deviceId), expected);
    }

    /** The dead letters of a device; publishes were acknowledged, so they are already in Kafka. */
    private static List<DeadLetter> deadLettersOf(String deviceId) {
        return KafkaRecords.readToEnd(kafka.bootstrapServers(), Topics.DEAD_LETTER.name(), Topics.DEAD_LETTER::decode)
                .stream().filter(d -> d.getDeviceId().equals(deviceId)).toList();
    }

    @ParameterizedTest(name = "QoS {0} over {1}")
    @CsvSource({"0, mqttv311", "1, mqttv311", "2, mqttv311", "0, mqttv5", "1, mqttv5", "2, mqttv5"})
    void aReadingAtEachQosAndProtocolReachesKafka(int qos, String version) throws Exception {
        String device = "qos" + qos + "-" + version;
        MosquittoPub.Result result = MosquittoPub.publish(bridge.mqttPort(), device, "devices/" + device + "/telemetry",
                "{\"ts\":" + System.currentTimeMillis() + ",\"seq\":1,\"metrics\":{\"temperature\":21.5}}", qos, version);
        assertEquals(0, result.exitCode(), result.output());
        if (qos > 0) {
            assertEquals(0, result.ackReasonCode(), result.output());
        }
        if (qos == 2) {
            assertTrue(result.qos2Completed(), result.output());
        }
        List<TelemetryEvent> events = rawEventsOf(device, 1);
        assertEquals(1, events.size(), "records of " + device);
        assertEquals(Map.of("temperature", 21.5), events.get(0).getMetrics());
    }

    @Test
    void anInvalidPayloadGetsReason0x99OnMqtt5AndIsDeadLettered() throws Exception {
        MosquittoPub.Result result = MosquittoPub.publish(bridge.mqttPort(), "bad-5", "devices/bad-5/telemetry",
                "{\"metrics\":{\"t\":\"hot\"}}", 1, "mqttv5");
        assertEquals(MQTT5_PAYLOAD_FORMAT_INVALID, result.ackReasonCode(), result.output());
        List<DeadLetter> letters = deadLettersOf("bad-5");
        assertEquals(1, letters.size());
        assertEquals("BAD_METRIC_VALUE", letters.get(0).getReason());
        assertEquals("devices/bad-5/telemetry", letters.get(0).getMqttTopic());
        assertTrue(rawEventsOf("bad-5", 0).isEmpty(), "nothing of the rejected publish among the readings");
    }

    @Test
    void anInvalidPayloadOnMqtt311IsAcknowledgedPlainlyOnceDeadLettered() throws Exception {
        MosquittoPub.Result result = MosquittoPub.publish(bridge.mqttPort(), "bad-3", "devices/bad-3/telemetry",
                "not json", 1, "mqttv311");
        assertTrue(result.acknowledged(), result.output());
        assertEquals(0, result.exitCode(), result.output());
        assertEquals("NOT_JSON", deadLettersOf("bad-3").get(0).getReason());
    }

    @Test
    void aTopicOutsideTheLayoutGetsReason0x90OnMqtt5() throws Exception {
        MosquittoPub.Result result = MosquittoPub.publish(bridge.mqttPort(), "stray", "sensors/stray",
                "{\"metrics\":{\"t\":1}}", 1, "mqttv5");
        assertEquals(MQTT5_TOPIC_NAME_INVALID, result.ackReasonCode(), result.output());
    }

    @Test
    void aBadPublishDisturbsNeitherItsConnectionNorOtherDevices() throws Exception {
        MqttClient client = MqttClient.create(vertx, new MqttClientOptions().setClientId("mixed").setMaxInflightQueue(100));
        client.connect(bridge.mqttPort(), "127.0.0.1").await(10, TimeUnit.SECONDS);
        client.publish("devices/mixed/telemetry", Buffer.buffer("{broken"), MqttQoS.AT_LEAST_ONCE, false, false)
                .await(10, TimeUnit.SECONDS);
        client.publish("devices/mixed/telemetry", Buffer.buffer("{\"seq\":2,\"metrics\":{\"t\":2}}"), MqttQoS.AT_LEAST_ONCE,
                false, false).await(10, TimeUnit.SECONDS);
        assertTrue(client.isConnected());
        MosquittoPub.Result other = MosquittoPub.publish(bridge.mqttPort(), "neighbour", "devices/neighbour/telemetry",
                "{\"metrics\":{\"t\":3}}", 1, "mqttv311");
        assertEquals(0, other.ackReasonCode(), other.output());
        client.disconnect().await(10, TimeUnit.SECONDS);
        List<TelemetryEvent> mixed = rawEventsOf("mixed", 1);
        assertEquals(1, mixed.size());
        assertEquals(2L, mixed.get(0).getSeq());
        assertEquals(1, rawEventsOf("neighbour", 1).size());
    }

    @Test
    void acknowledgementsKeepTheOrderOfPublishesAcrossPartitions() throws Exception {
        List<Integer> sentIds = new java.util.concurrent.CopyOnWriteArrayList<>();
        List<Integer> ackedIds = new java.util.concurrent.CopyOnWriteArrayList<>();
        MqttClient client = MqttClient.create(vertx, new MqttClientOptions().setClientId("gateway").setMaxInflightQueue(1000));
        client.publishCompletionHandler(ackedIds::add);
        client.connect(bridge.mqttPort(), "127.0.0.1").await(10, TimeUnit.SECONDS);
        int publishes = 300;
        for (int i = 0; i < publishes; i++) {
            // A gateway publishing for 30 devices: their records go to many partitions, acknowledged by Kafka in any order.
            sentIds.add(client.publish("devices/gw-" + (i % 30) + "/telemetry", Buffer.buffer("{\"seq\":" + i + ",\"metrics\":{\"t\":1}}"),
                    MqttQoS.AT_LEAST_ONCE, false, false).await(10, TimeUnit.SECONDS));
        }
        Await.until("every PUBACK", Duration.ofSeconds(20), () -> ackedIds.size() == publishes);
        client.disconnect().await(10, TimeUnit.SECONDS);
        assertEquals(sentIds, ackedIds, "PUBACKs in the order of the publishes [MQTT-4.6.0-2]");
    }

    @Test
    void onShutdownTheBridgeTurnsNotReadyFinishesItsAcksAndSendsMqtt5Devices0x8B() throws Exception {
        MqttBridge draining = MqttBridge.start(new BridgeConfig(Map.of(
                BridgeConfig.BRIDGE_ID, "draining",
                BridgeConfig.KAFKA_BOOTSTRAP_SERVERS, kafka.bootstrapServers(),
                BridgeConfig.MQTT_HOST, "127.0.0.1", BridgeConfig.MQTT_PORT, 0, BridgeConfig.MQTT_WS_PORT, 0,
                BridgeConfig.OPS_HOST, "127.0.0.1", BridgeConfig.OPS_PORT, 0,
                BridgeConfig.DRAIN_GRACE_MS, 1000L, BridgeConfig.AUTH_ANONYMOUS, true)));
        HttpClient http = HttpClient.newHttpClient();
        HttpRequest readiness = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + draining.opsPort() + "/health/ready")).build();
        try (MosquittoPub.Session device = MosquittoPub.session(draining.mqttPort(), "drain-5", "devices/drain-5/telemetry", 1,
                "mqttv5")) {
            device.publish("{\"seq\":1,\"metrics\":{\"t\":1}}");
            Await.until("the PUBACK", Duration.ofSeconds(10), () -> device.output().contains("received PUBACK"));
            Thread closing = new Thread(draining::close, "close-bridge");
            closing.start();
            Await.until("the draining bridge to report not ready", Duration.ofSeconds(5),
                    () -> http.send(readiness, HttpResponse.BodyHandlers.discarding()).statusCode() == 503);
            Await.until("DISCONNECT with reason 0x8B (server shutting down)", Duration.ofSeconds(20),
                    () -> device.output().contains("Received DISCONNECT (139)"));
            closing.join(30_000);
        }
        assertEquals(1, rawEventsOf("drain-5", 1).size());
    }

    @Test
    void healthAndMetricsAreServed() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        String base = "http://127.0.0.1:" + bridge.opsPort();
        assertEquals(200, http.send(HttpRequest.newBuilder(URI.create(base + "/health/live")).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode());
        assertEquals(200, http.send(HttpRequest.newBuilder(URI.create(base + "/health/ready")).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode());
        String metrics = http.send(HttpRequest.newBuilder(URI.create(base + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        for (String name : List.of("sluice_bridge_publishes_total", "sluice_bridge_connections", "sluice_bridge_dead_lettered_total",
                "sluice_bridge_publish_to_ack_seconds_bucket", "sluice_bridge_in_flight", "kafka_producer_")) {
            assertTrue(metrics.contains(name), "metrics expose " + name);
        }
    }

    private static List<io.sluice.schemas.avro.DeviceSession> sessionsOf(String clientId, int expected) {
        return KafkaRecords.awaitMatching(kafka.bootstrapServers(), Topics.DEVICE_SESSIONS.name(), Topics.DEVICE_SESSIONS::decode,
                s -> s.getClientId().equals(clientId), expected);
    }

    @Test
    void aSenmlPackIsNormalizedIntoOneEventPerTime() throws Exception {
        long seconds = System.currentTimeMillis() / 1000;
        MosquittoPub.Result result = MosquittoPub.publish(bridge.mqttPort(), "senml-1", "devices/senml-1/telemetry",
                "[{\"bn\":\"urn:dev:mac:0024befffe804ff1:\",\"bt\":" + seconds + ",\"n\":\"temperature\",\"u\":\"Cel\",\"v\":21.5},"
                        + "{\"n\":\"humidity\",\"u\":\"%RH\",\"v\":40},{\"n\":\"temperature\",\"t\":-60,\"v\":21}]",
                1, "mqttv5");
        assertEquals(0, result.ackReasonCode(), result.output());
        List<TelemetryEvent> events = rawEventsOf("senml-1", 2);
        assertEquals(2, events.size());
        TelemetryEvent now = events.stream().filter(e -> e.getTsMs() == seconds * 1000).findFirst().orElseThrow();
        assertEquals(Map.of("temperature", 21.5, "humidity", 40.0), now.getMetrics());
    }

    @Test
    void aSecondConnectionWithTheSameClientIdTakesOverTheFirst() throws Exception {
        try (io.sluice.testing.RawMqttClient first = io.sluice.testing.RawMqttClient.connect(bridge.mqttPort(), "twin",
                io.netty.handler.codec.mqtt.MqttVersion.MQTT_5)) {
            assertEquals(io.netty.handler.codec.mqtt.MqttMessageType.CONNACK, first.next(Duration.ofSeconds(5)).fixedHeader().messageType());
            MosquittoPub.Result second = MosquittoPub.publish(bridge.mqttPort(), "twin", "devices/twin/telemetry",
                    "{\"metrics\":{\"t\":1}}", 1, "mqttv5");
            assertEquals(0, second.ackReasonCode(), second.output());
            io.netty.handler.codec.mqtt.MqttMessage disconnect = first.next(Duration.ofSeconds(5));
            assertEquals(io.netty.handler.codec.mqtt.MqttMessageType.DISCONNECT, disconnect.fixedHeader().messageType());
            assertEquals(0x8E, ((io.netty.handler.codec.mqtt.MqttReasonCodeAndPropertiesVariableHeader) disconnect.variableHeader())
                    .reasonCode() & 0xFF, "session taken over");
            assertTrue(first.closedWithin(Duration.ofSeconds(5)));
        }
        List<io.sluice.schemas.avro.DeviceSession> sessions = sessionsOf("twin", 4);
        assertTrue(sessions.stream().anyMatch(s -> s.getEvent().equals("DISCONNECTED") && s.getReason().equals("TAKEOVER")),
                sessions.toString());
    }

    @Test
    void aMalformedFrameClosesOnlyItsOwnConnection() throws Exception {
        try (io.sluice.testing.RawMqttClient garbler = io.sluice.testing.RawMqttClient.connect(bridge.mqttPort(), "garbler",
                io.netty.handler.codec.mqtt.MqttVersion.MQTT_3_1_1)) {
            assertEquals(io.netty.handler.codec.mqtt.MqttMessageType.CONNACK, garbler.next(Duration.ofSeconds(5)).fixedHeader().messageType());
            // Packet type 0 is reserved: no MQTT packet starts with it.
            garbler.sendRaw(new byte[] {0x00, 0x00});
            assertTrue(garbler.closedWithin(Duration.ofSeconds(5)), "the bridge closes a connection that breaks the protocol");
        }
        MosquittoPub.Result neighbour = MosquittoPub.publish(bridge.mqttPort(), "calm", "devices/calm/telemetry",
                "{\"metrics\":{\"t\":1}}", 1, "mqttv311");
        assertTrue(neighbour.acknowledged(), neighbour.output());
        assertEquals(1, rawEventsOf("calm", 1).size());
        List<io.sluice.schemas.avro.DeviceSession> sessions = sessionsOf("garbler", 2);
        assertEquals("PROTOCOL_ERROR", sessions.get(1).getReason(), sessions.toString());
    }

    @Test
    void aQos2RetransmitWithTheDupFlagIsWrittenOnce() throws Exception {
        byte[] payload = "{\"metrics\":{\"t\":1}}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        try (io.sluice.testing.RawMqttClient device = io.sluice.testing.RawMqttClient.connect(bridge.mqttPort(), "qos2-dup",
                io.netty.handler.codec.mqtt.MqttVersion.MQTT_3_1_1)) {
            device.next(Duration.ofSeconds(5));
            device.publish("devices/qos2-dup/telemetry", payload, MqttQoS.EXACTLY_ONCE, 7, false);
            assertEquals(io.netty.handler.codec.mqtt.MqttMessageType.PUBREC, device.next(Duration.ofSeconds(5)).fixedHeader().messageType());
            // The device never saw the PUBREC, so it sends the publish again, flagged DUP.
            device.publish("devices/qos2-dup/telemetry", payload, MqttQoS.EXACTLY_ONCE, 7, true);
            assertEquals(io.netty.handler.codec.mqtt.MqttMessageType.PUBREC, device.next(Duration.ofSeconds(5)).fixedHeader().messageType());
            device.release(7);
            assertEquals(io.netty.handler.codec.mqtt.MqttMessageType.PUBCOMP, device.next(Duration.ofSeconds(5)).fixedHeader().messageType());
            // After PUBCOMP the packet id is free again: a new publish with it is a new message.
            device.publish("devices/qos2-dup/telemetry", payload, MqttQoS.EXACTLY_ONCE, 7, false);
            assertEquals(io.netty.handler.codec.mqtt.MqttMessageType.PUBREC, device.next(Duration.ofSeconds(5)).fixedHeader().messageType());
        }
        assertEquals(2, rawEventsOf("qos2-dup", 2).size(), "the DUP copy was not written; the reused id was");
    }

    @Test
    void mqtt5UserPropertiesTravelAsKafkaHeaders() throws Exception {
        MosquittoPub.Result result = MosquittoPub.publish(bridge.mqttPort(), "props", "devices/props/telemetry",
                "{\"metrics\":{\"t\":1}}", 1, "mqttv5", List.of("-D", "publish", "user-property", "site", "north-3"));
        assertEquals(0, result.ackReasonCode(), result.output());
        org.apache.kafka.clients.consumer.ConsumerRecord<byte[], byte[]> record = Await.until("the record of props",
                Duration.ofSeconds(10), () -> KafkaRecords.readRecordsToEnd(kafka.bootstrapServers(), Topics.TELEMETRY_RAW.name())
                        .stream().filter(r -> new String(r.key(), java.nio.charset.StandardCharsets.UTF_8).equals("props")).toList(),
                records -> !records.isEmpty()).get(0);
        assertEquals("north-3", new String(record.headers().lastHeader("mqtt.user.site").value(),
                java.nio.charset.StandardCharsets.UTF_8));
    }
}
