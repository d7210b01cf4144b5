package io.sluice.load;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import io.netty.handler.codec.mqtt.MqttQoS;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.mqtt.MqttClient;
import io.vertx.mqtt.MqttClientOptions;
import io.sluice.bridge.MqttBridge;
import io.sluice.schemas.avro.DeadLetter;
import io.sluice.schemas.kafka.Topics;
import io.sluice.testing.Await;
import io.sluice.testing.KafkaRecords;
import io.sluice.testing.MosquittoPub;
import io.sluice.testing.PipelineServers;
import io.sluice.testing.Scrape;

/**
 * The end-to-end contract of Sluice: a reading a real MQTT client publishes through HAProxy lands
 * once in ClickHouse. Run on local servers by {@link EndToEndLocalIT}, and on containers by
 * {@link EndToEndDockerIT} where a Docker engine exists.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class EndToEndContract {

    private static final Duration ARRIVAL = Duration.ofSeconds(30);

    private PipelineServers servers;
    private SluiceStack stack;
    private Vertx vertx;
    private String unavailable;

    /** Why this variant's servers cannot run on this machine, or null when they can. */
    abstract String unavailableReason();

    /** Starts the Kafka and ClickHouse servers this variant runs on. */
    abstract PipelineServers startServers() throws Exception;

    @BeforeAll
    void startStack() throws Exception {
        unavailable = unavailableReason();
        if (unavailable != null) {
            System.out.println("SKIPPED " + getClass().getSimpleName() + ": " + unavailable);
            return;
        }
        servers = startServers();
        stack = SluiceStack.start(servers);
        vertx = Vertx.vertx();
        Await.until("HAProxy to see both bridges UP", Duration.ofSeconds(20),
                () -> stack.haproxy().backendStates().values().stream().filter("UP"::equals).count() == 2);
    }

    @BeforeEach
    void requireServers() {
        Assumptions.assumeTrue(unavailable == null, () -> getClass().getSimpleName() + " skipped: " + unavailable);
    }

    @AfterAll
    void stopStack() throws Exception {
        if (vertx != null) {
            vertx.close().await(10, TimeUnit.SECONDS);
        }
        if (stack != null) {
            stack.close();
        }
        if (servers != null) {
            servers.close();
        }
    }

    private long count(String sql) throws Exception {
        return stack.clickHouse().number(sql);
    }

    @Test
    void aQos1ReadingThroughHaproxyLandsOnceInClickHouseEvenWhenPublishedTwice() throws Exception {
        long ts = System.currentTimeMillis();
        String payload = "{\"ts\":" + ts + ",\"metrics\":{\"temperature\":21.5}}";
        MosquittoPub.Result first = MosquittoPub.publish(stack.mqttPort(), "e2e-dev-1", "devices/e2e-dev-1/telemetry",
                payload, 1, "mqttv311");
        assertEquals(0, first.exitCode(), first.output());
        assertEquals(0, first.ackReasonCode(), first.output());
        String where = " FROM sluice.telemetry WHERE device_id = 'e2e-dev-1' AND ts_ms = " + ts;
        Await.until("the reading in ClickHouse", ARRIVAL, () -> count("SELECT count()" + where) == 1);
        List<String[]> rows = stack.clickHouse().rows("SELECT metric, value, seq" + where);
        assertArrayEquals(new String[] {"temperature", "21.5", "-1"}, rows.get(0));

        MosquittoPub.Result again = MosquittoPub.publish(stack.mqttPort(), "e2e-dev-1", "devices/e2e-dev-1/telemetry",
                payload, 1, "mqttv311");
        assertEquals(0, again.ackReasonCode(), again.output());
        assertEquals(2, KafkaRecords.readToEnd(servers.kafkaBootstrapServers(), Topics.TELEMETRY_RAW.name(),
                        Topics.TELEMETRY_RAW::decode).stream()
                .filter(e -> e.getDeviceId().equals("e2e-dev-1") && e.getTsMs() == ts).count(), "both publishes are durable in Kafka");
        // A later reading of the same device travels the same partition: once it is in ClickHouse, the
        // retransmission before it has been written too. Raw readings cross Kafka once, straight to the sink, so the
        // retransmission is a second row until ClickHouse merges it away; FINAL collapses it by the natural key.
        MosquittoPub.Result later = MosquittoPub.publish(stack.mqttPort(), "e2e-dev-1", "devices/e2e-dev-1/telemetry",
                "{\"ts\":" + (ts + 1) + ",\"metrics\":{\"temperature\":22}}", 1, "mqttv311");
        assertEquals(0, later.ackReasonCode(), later.output());
        Await.until("the later reading in ClickHouse", ARRIVAL, () -> count(
                "SELECT count() FROM sluice.telemetry WHERE device_id = 'e2e-dev-1' AND ts_ms = " + (ts + 1)) == 1);
        assertEquals(1, count("SELECT count() FROM sluice.telemetry FINAL WHERE device_id = 'e2e-dev-1' AND ts_ms = " + ts));
    }

    @Test
    void aReadingOverWebSocketThroughHaproxyLandsInClickHouse() throws Exception {
        long ts = System.currentTimeMillis();
        // Eclipse Paho, a real MQTT client library, over WebSocket (subprotocol mqtt): neither Debian's mosquitto
        // clients nor Vert.x's MQTT client speak MQTT over WebSocket.
        org.eclipse.paho.client.mqttv3.MqttClient client = new org.eclipse.paho.client.mqttv3.MqttClient(
                "ws://127.0.0.1:" + stack.haproxy().webSocketPort() + "/mqtt", "e2e-ws",
                new org.eclipse.paho.client.mqttv3.persist.MemoryPersistence());
        org.eclipse.paho.client.mqttv3.MqttConnectOptions options = new org.eclipse.paho.client.mqttv3.MqttConnectOptions();
        options.setConnectionTimeout(10);
        options.setMqttVersion(org.eclipse.paho.client.mqttv3.MqttConnectOptions.MQTT_VERSION_3_1_1);
        client.setTimeToWait(10_000);
        try {
            client.connect(options); // returns once CONNACK accepted the connection, throws otherwise
            assertTrue(client.isConnected());
            // A QoS 1 publish returns once its PUBACK arrived: the bridge acknowledged it after Kafka took it.
            client.publish("devices/e2e-ws/telemetry",
                    ("{\"ts\":" + ts + ",\"seq\":3,\"metrics\":{\"voltage\":229.5}}").getBytes(StandardCharsets.UTF_8), 1, false);
            client.disconnect();
        } finally {
            client.close();
        }
        Await.until("the WebSocket reading in ClickHouse", ARRIVAL, () -> count(
                "SELECT count() FROM sluice.telemetry WHERE device_id = 'e2e-ws' AND ts_ms = " + ts + " AND value = 229.5") == 1);
    }

    @Test
    void anInvalidPayloadIsRejectedAndEverythingElseCarriesOn() throws Exception {
        MqttClient client = MqttClient.create(vertx, new MqttClientOptions().setClientId("e2e-mixed"));
        client.connect(stack.mqttPort(), "127.0.0.1").await(10, TimeUnit.SECONDS);
        client.publish("devices/e2e-mixed/telemetry", Buffer.buffer("not json"), MqttQoS.AT_LEAST_ONCE, false, false)
                .await(10, TimeUnit.SECONDS);
        client.publish("devices/e2e-mixed/telemetry", Buffer.buffer("{\"seq\":7,\"metrics\":{\"rpm\":1200}}"),
                MqttQoS.AT_LEAST_ONCE, false, false).await(10, TimeUnit.SECONDS);
        MosquittoPub.Result neighbour = MosquittoPub.publish(stack.mqttPort(), "e2e-neighbour", "devices/e2e-neighbour/telemetry",
                "{\"metrics\":{\"rpm\":900}}", 1, "mqttv311");
        assertEquals(0, neighbour.ackReasonCode(), neighbour.output());
        assertTrue(client.isConnected(), "the connection that sent the bad payload stays up");
        client.disconnect().await(10, TimeUnit.SECONDS);

        Await.until("both good readings in ClickHouse", ARRIVAL, () -> count(
                "SELECT count() FROM sluice.telemetry WHERE device_id IN ('e2e-mixed', 'e2e-neighbour')") == 2);
        assertEquals(7, count("SELECT any(seq) FROM sluice.telemetry WHERE device_id = 'e2e-mixed'"));
        List<DeadLetter> letters = KafkaRecords.readToEnd(servers.kafkaBootstrapServers(), Topics.DEAD_LETTER.name(),
                Topics.DEAD_LETTER::decode).stream().filter(d -> d.getDeviceId().equals("e2e-mixed")).toList();
        assertEquals(1, letters.size());
        assertEquals("NOT_JSON", letters.get(0).getReason());
        Await.until("the rejection in sluice.rejected", ARRIVAL, () -> count(
                "SELECT count() FROM sluice.rejected WHERE device_id = 'e2e-mixed' AND reason = 'NOT_JSON' AND payload = 'not json'") == 1);
    }

    @Test
    void aRecordTheProcessorsCannotDecodeIsRejectedWithItsReasonAndTheStreamCarriesOn() throws Exception {
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, servers.kafkaBootstrapServers()),
                new ByteArraySerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(Topics.TELEMETRY_RAW.name(), "e2e-poison".getBytes(StandardCharsets.UTF_8),
                    "written by something that is not a bridge".getBytes(StandardCharsets.UTF_8))).get(10, TimeUnit.SECONDS);
        }
        MosquittoPub.Result after = MosquittoPub.publish(stack.mqttPort(), "e2e-poison", "devices/e2e-poison/telemetry",
                "{\"metrics\":{\"t\":1}}", 1, "mqttv311");
        assertEquals(0, after.ackReasonCode(), after.output());
        Await.until("the poison record in sluice.rejected", ARRIVAL, () -> count("SELECT count() FROM sluice.rejected"
                + " WHERE device_id = 'e2e-poison' AND source = 'stream-processor' AND reason = 'UNDECODABLE_RECORD'") == 1);
        Await.until("the reading after it in ClickHouse", ARRIVAL,
                () -> count("SELECT count() FROM sluice.telemetry WHERE device_id = 'e2e-poison'") == 1);
    }

    @Test
    void connectionsAreSpreadOverBothBridges() throws Exception {
        for (MqttBridge bridge : stack.bridges()) {
            // leastconn balances on open connections: start from none left over by other tests.
            Await.until("no connection left on the bridge at ops port " + bridge.opsPort(), Duration.ofSeconds(10),
                    () -> connectionsOf(bridge) == 0);
        }
        List<MqttClient> clients = new ArrayList<>();
        try {
            for (int i = 0; i < 4; i++) {
                MqttClient client = MqttClient.create(vertx, new MqttClientOptions().setClientId("e2e-spread-" + i));
                client.connect(stack.mqttPort(), "127.0.0.1").await(10, TimeUnit.SECONDS);
                clients.add(client);
            }
            for (MqttBridge bridge : stack.bridges()) {
                Await.until("two connections on the bridge at ops port " + bridge.opsPort(), Duration.ofSeconds(10),
                        () -> connectionsOf(bridge) == 2);
            }
        } finally {
            for (MqttClient client : clients) {
                client.disconnect().await(10, TimeUnit.SECONDS);
            }
        }
    }

    private static double connectionsOf(MqttBridge bridge) throws Exception {
        return PrometheusText.sum(Scrape.metrics(bridge.opsPort()), "sluice_bridge_connections");
    }

    @Test
    void aSmallFleetRunLosesAndDuplicatesNothing() throws Exception {
        FleetOptions options = new FleetOptions("127.0.0.1", stack.mqttPort(), 20, 400, 5, 1, 50, "e2e-fleet");
        FleetResult result = FleetSimulator.run(options, progress -> { });
        assertTrue(result.acked() > 0, "the fleet got acknowledgements");
        assertEquals(result.sent(), result.acked() + result.errors(), "every publish answered or counted as an error");
        LossCheck check = LossCheck.against(stack.clickHouse(), result, ARRIVAL);
        assertEquals(result.ackedReadings(), check.stored(), "stored readings");
        assertEquals(0, check.lost(), "lost readings");
        assertEquals(0, check.duplicated(), "duplicated readings");
        // Each device's connection, opened and closed, is in sluice.device_sessions.
        long sessions = Await.until("the fleet's sessions in ClickHouse", ARRIVAL,
                () -> stack.clickHouse().number("SELECT count() FROM sluice.device_sessions FINAL WHERE device_id LIKE 'e2e-fleet%'"
                        + " AND event = 'DISCONNECTED' AND reason = 'NORMAL'"),
                count -> count >= options.devices());
        assertEquals(options.devices(), sessions, "one closed session per device");
    }

    @Test
    void aBurstingFleetOverWebSocketAtQos2InSenmlLosesAndDuplicatesNothing() throws Exception {
        FleetOptions options = new FleetOptions("127.0.0.1", stack.haproxy().webSocketPort(), 20,
                new RateProfile.Burst(50, 600, 1, 1, 1), 5, 2, 50, "e2e-senml", FleetOptions.Transport.WEBSOCKET,
                FleetOptions.PayloadFormat.SENML, null, 0, 4);
        FleetResult result = FleetSimulator.run(options, progress -> { });
        assertEquals(0, result.errors(), "no publish failed: " + result.refusals());
        assertEquals(result.sent(), result.acked(), "every QoS 2 publish completed (PUBREC, PUBREL, PUBCOMP)");
        assertTrue(result.sent() > 50 * 5, "the burst raised the rate above its base: " + result.sent() + " sent");
        LossCheck check = LossCheck.against(stack.clickHouse(), result, ARRIVAL);
        assertEquals(result.ackedReadings(), check.stored(), "stored readings (SenML, known by their time)");
        assertEquals(0, check.lost(), "lost readings");
        assertEquals(0, check.duplicated(), "duplicated readings");
    }

    @Test
    void aRollingRestartOfBothBridgesUnderLoadLosesNoAcknowledgedReading() throws Exception {
        FleetOptions options = new FleetOptions("127.0.0.1", stack.mqttPort(), 20, 400, 15, 1, 50, "e2e-rolling");
        java.util.concurrent.atomic.AtomicLong acked = new java.util.concurrent.atomic.AtomicLong();
        java.util.concurrent.CompletableFuture<FleetResult> run = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                return FleetSimulator.run(options, progress -> acked.set(progress.acked()));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        for (int bridge = 0; bridge < 2; bridge++) {
            long before = acked.get();
            Await.until("readings acknowledged before restarting bridge " + (bridge + 1), Duration.ofSeconds(20),
                    () -> acked.get() > before + 400);
            stack.restartBridge(bridge, servers);
            Await.until("HAProxy to see both bridges UP again", Duration.ofSeconds(20),
                    () -> stack.haproxy().backendStates().values().stream().filter("UP"::equals).count() == 2);
        }
        FleetResult result = run.get(90, TimeUnit.SECONDS);
        assertEquals(result.sent(), result.acked() + result.errors(), "every publish answered or counted as an error");
        LossCheck check = LossCheck.against(stack.clickHouse(), result, ARRIVAL);
        System.out.printf("rolling restart of both bridges under load: sent %d, acknowledged %d, unacknowledged %d;"
                        + " readings acknowledged %d, stored %d, lost %d, duplicated %d%n", result.sent(), result.acked(),
                result.errors(), result.ackedReadings(), check.stored(), check.lost(), check.duplicated());
        assertEquals(0, check.lost(), "acknowledged readings lost");
        assertEquals(0, check.duplicated(), "duplicated readings");
        // A publish written but cut off from its acknowledgement by the restart is stored and not acknowledged.
        assertTrue(check.stored() >= result.ackedReadings(), "stored readings");
    }
}
