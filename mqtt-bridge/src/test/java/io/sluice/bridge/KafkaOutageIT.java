package io.sluice.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.Test;

import io.netty.handler.codec.mqtt.MqttQoS;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.mqtt.MqttClient;
import io.vertx.mqtt.MqttClientOptions;
import io.sluice.schemas.avro.TelemetryEvent;
import io.sluice.schemas.kafka.Topics;
import io.sluice.testing.Await;
import io.sluice.testing.KafkaBrokerProcess;
import io.sluice.testing.KafkaRecords;
import io.sluice.testing.RawMqttClient;

/**
 * The Kafka broker stopped under load, for {@code SLUICE_OUTAGE_SECONDS} (15 s in the suite; the
 * 60-second run in docs/security.md sets 60): devices keep publishing QoS 1 as far as the bridge lets them, the
 * bridge holds their acknowledgements and stops reading them at its in-flight bounds, and once the
 * broker is back every acknowledged reading is in Kafka. Heap, sampled after a GC, stays flat.
 */
class KafkaOutageIT {

    private static final int DEVICES = 20;
    private static final int WINDOW = 50;
    private static final int PER_DEVICE_RATE = 50;
    private static final long BRIDGE_BYTES = 256 * 1024;
    private static final long CONNECTION_BYTES = 16 * 1024;
    /** Whitespace after the JSON object: a reading of about 430 bytes, so that the byte bounds come into play. */
    private static final String PADDING = " ".repeat(400);

    @Test
    void everyAcknowledgedReadingArrivesAfterTheBrokerComesBackAndHeapStaysFlat() throws Exception {
        int outageSeconds = Integer.parseInt(System.getenv().getOrDefault("SLUICE_OUTAGE_SECONDS", "15"));
        Map<String, Set<Long>> acked = new ConcurrentHashMap<>();
        AtomicBoolean publishing = new AtomicBoolean(true);
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        try (KafkaBrokerProcess broker = KafkaBrokerProcess.start()) {
            MqttBridge bridge = MqttBridge.start(new BridgeConfig(Map.ofEntries(
                    Map.entry(BridgeConfig.BRIDGE_ID, "outage"),
                    Map.entry(BridgeConfig.KAFKA_BOOTSTRAP_SERVERS, broker.bootstrapServers()),
                    Map.entry(BridgeConfig.MQTT_HOST, "127.0.0.1"), Map.entry(BridgeConfig.MQTT_PORT, 0),
                    Map.entry(BridgeConfig.MQTT_WS_PORT, -1),
                    Map.entry(BridgeConfig.MAX_IN_FLIGHT_BYTES, BRIDGE_BYTES),
                    Map.entry(BridgeConfig.MAX_IN_FLIGHT_BYTES_PER_CONNECTION, CONNECTION_BYTES),
                    Map.entry(BridgeConfig.OPS_HOST, "127.0.0.1"), Map.entry(BridgeConfig.OPS_PORT, 0),
                    Map.entry(BridgeConfig.DRAIN_GRACE_MS, 0L), Map.entry(BridgeConfig.AUTH_ANONYMOUS, true))));
            Vertx vertx = Vertx.vertx();
            List<Thread> devices = new ArrayList<>();
            try {
                for (int d = 0; d < DEVICES; d++) {
                    String device = "outage-" + d;
                    acked.put(device, ConcurrentHashMap.newKeySet());
                    Thread thread = new Thread(() -> publish(vertx, bridge.mqttPort(), device, acked.get(device), publishing),
                            device);
                    thread.start();
                    devices.add(thread);
                }
                Await.until("readings flowing", Duration.ofSeconds(20), () -> total(acked) > DEVICES * 20);
                long heapBefore = heapAfterGc(memory);

                broker.stop();
                long stoppedAt = System.nanoTime();
                long ackedAtStop = total(acked);
                long maxHeap = heapBefore;
                long maxInFlightBytes = 0;
                double maxPaused = 0;
                while (System.nanoTime() - stoppedAt < TimeUnit.SECONDS.toNanos(outageSeconds)) {
                    Thread.sleep(1000);
                    maxHeap = Math.max(maxHeap, heapAfterGc(memory));
                    String metrics = metrics(bridge.opsPort());
                    maxInFlightBytes = Math.max(maxInFlightBytes, (long) gauge(metrics, "sluice_bridge_in_flight_bytes"));
                    maxPaused = Math.max(maxPaused, gauge(metrics, "sluice_bridge_paused_connections"));
                }
                long ackedDuringOutage = total(acked) - ackedAtStop;
                broker.restart();
                Await.until("acknowledgements again after the broker is back", Duration.ofSeconds(60),
                        () -> total(acked) > ackedAtStop + ackedDuringOutage + DEVICES * WINDOW);
                publishing.set(false);
                for (Thread device : devices) {
                    device.join(30_000);
                }

                // Acknowledgements still arrive for the publishes in flight when the devices stop: take the
                // acknowledged set first, then read. Acknowledged means written with acks=all, so every
                // reading in the snapshot must be in Kafka.
                Map<String, Set<Long>> ackedBeforeReading = new ConcurrentHashMap<>();
                acked.forEach((device, seqs) -> ackedBeforeReading.put(device, new HashSet<>(seqs)));
                Map<String, Set<Long>> stored = storedSeqs(broker.bootstrapServers());
                long lost = 0;
                StringBuilder missingSeqs = new StringBuilder();
                for (Map.Entry<String, Set<Long>> device : ackedBeforeReading.entrySet()) {
                    Set<Long> missing = new java.util.TreeSet<>(device.getValue());
                    missing.removeAll(stored.getOrDefault(device.getKey(), Set.of()));
                    lost += missing.size();
                    if (!missing.isEmpty()) {
                        missingSeqs.append(device.getKey()).append(' ').append(missing).append(" of ")
                                .append(new java.util.TreeSet<>(device.getValue()).last()).append(" acknowledged; ");
                    }
                }
                System.out.printf("Kafka outage of %d s under load: %d readings acknowledged in all, %d while the broker was"
                                + " down, %d lost; heap after GC %d MiB before, at most %d MiB during; bridge in-flight bytes at"
                                + " most %d (bound %d); at most %.0f of %d connections paused%n",
                        outageSeconds, total(acked), ackedDuringOutage, lost, heapBefore >> 20, maxHeap >> 20, maxInFlightBytes,
                        BRIDGE_BYTES, maxPaused, DEVICES);
                assertEquals(0, lost, "acknowledged readings missing from Kafka: " + missingSeqs);
                assertTrue(ackedDuringOutage <= DEVICES * 2L, "acknowledgements wait for Kafka: " + ackedDuringOutage
                        + " acknowledged while it was down");
                assertTrue(maxPaused >= 1, "the bridge stopped reading connections at its bounds");
                assertTrue(maxInFlightBytes <= BRIDGE_BYTES + DEVICES * 64 * 1024L,
                        "in-flight bytes bounded: " + maxInFlightBytes);
                assertTrue(maxHeap - heapBefore < 64L << 20, "heap flat: " + (heapBefore >> 20) + " MiB before, "
                        + (maxHeap >> 20) + " MiB at most during the outage");
            } finally {
                publishing.set(false);
                vertx.close().await(10, TimeUnit.SECONDS);
                bridge.close();
            }
        }
    }

    /**
     * One device: publishes QoS 1 readings with increasing seq at its rate, up to {@link #WINDOW}
     * unacknowledged, and records each acknowledged seq.
     */
    @Test
    void whileKafkaIsDownUserPropertiesAndSessionEventsCountAgainstTheInFlightBounds() throws Exception {
        int maxInFlight = 50;
        try (KafkaBrokerProcess broker = KafkaBrokerProcess.start();
             MqttBridge bridge = MqttBridge.start(new BridgeConfig(Map.ofEntries(
                     Map.entry(BridgeConfig.BRIDGE_ID, "bounded"),
                     Map.entry(BridgeConfig.KAFKA_BOOTSTRAP_SERVERS, broker.bootstrapServers()),
                     Map.entry(BridgeConfig.MQTT_HOST, "127.0.0.1"), Map.entry(BridgeConfig.MQTT_PORT, 0),
                     Map.entry(BridgeConfig.MQTT_WS_PORT, -1),
                     Map.entry(BridgeConfig.MAX_IN_FLIGHT, maxInFlight),
                     Map.entry(BridgeConfig.MAX_IN_FLIGHT_BYTES_PER_CONNECTION, 1024L),
                     Map.entry(BridgeConfig.OPS_HOST, "127.0.0.1"), Map.entry(BridgeConfig.OPS_PORT, 0),
                     Map.entry(BridgeConfig.DRAIN_GRACE_MS, 0L), Map.entry(BridgeConfig.DRAIN_TIMEOUT_MS, 0L),
                     Map.entry(BridgeConfig.AUTH_ANONYMOUS, true))))) {
            broker.stop();
            try (RawMqttClient device = RawMqttClient.open("127.0.0.1", bridge.mqttPort(), io.netty.handler.codec.mqtt.MqttVersion.MQTT_5)
                    .login("props", 60, null, null)) {
                assertEquals(io.netty.handler.codec.mqtt.MqttConnectReturnCode.CONNECTION_ACCEPTED,
                        device.connack(Duration.ofSeconds(10)).variableHeader().connectReturnCode());
                io.netty.handler.codec.mqtt.MqttProperties properties = new io.netty.handler.codec.mqtt.MqttProperties();
                properties.add(new io.netty.handler.codec.mqtt.MqttProperties.UserProperties(List.of(
                        new io.netty.handler.codec.mqtt.MqttProperties.StringPair("note", "x".repeat(600)))));
                for (int packetId = 1; packetId <= 5; packetId++) {
                    device.publish("devices/props/telemetry", "{\"metrics\":{\"t\":1}}".getBytes(), MqttQoS.AT_LEAST_ONCE,
                            packetId, properties);
                }
                // 20 payload bytes each, but 600 bytes of user properties held with them: the connection is over its
                // 1,024 bytes after two publishes and is no longer read.
                Await.until("the connection paused by its bytes in flight", Duration.ofSeconds(10),
                        () -> gauge(metrics(bridge.opsPort()), "sluice_bridge_paused_connections") == 1);
                assertTrue(gauge(metrics(bridge.opsPort()), "sluice_bridge_in_flight_bytes") >= 1024);
            }
            for (int i = 0; i < 200; i++) {
                try (RawMqttClient refused = RawMqttClient.open("127.0.0.1", bridge.mqttPort(), io.netty.handler.codec.mqtt.MqttVersion.MQTT_5)
                        .login("not a device id " + i, 60, null, null)) {
                    refused.connack(Duration.ofSeconds(10));
                }
            }
            String metrics = metrics(bridge.opsPort());
            assertTrue(gauge(metrics, "sluice_bridge_in_flight") <= maxInFlight, "records in flight within the bound: "
                    + gauge(metrics, "sluice_bridge_in_flight"));
            assertTrue(gauge(metrics, "sluice_bridge_session_events_lost_total") >= 150, "the session events of 200 refusals"
                    + " beyond the bound are dropped and counted: " + gauge(metrics, "sluice_bridge_session_events_lost_total"));
        }
    }

    private static void publish(Vertx vertx, int port, String device, Set<Long> acked, AtomicBoolean publishing) {
        Semaphore window = new Semaphore(WINDOW);
        // The bridge acknowledges in publish order, so each PUBACK is for the oldest unacknowledged seq.
        java.util.Queue<Long> unacknowledged = new java.util.concurrent.ConcurrentLinkedQueue<>();
        MqttClient client = MqttClient.create(vertx, new MqttClientOptions().setClientId(device)
                .setMaxInflightQueue(WINDOW).setAutoKeepAlive(true).setKeepAliveInterval(120));
        client.publishCompletionHandler(packetId -> {
            Long seq = unacknowledged.poll();
            if (seq != null) {
                acked.add(seq);
                window.release();
            }
        });
        try {
            client.connect(port, "127.0.0.1").await(10, TimeUnit.SECONDS);
            long seq = 0;
            long start = System.nanoTime();
            while (publishing.get()) {
                long wait = start + seq * 1_000_000_000L / PER_DEVICE_RATE - System.nanoTime();
                if (wait > 0) {
                    Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                }
                if (!window.tryAcquire(200, TimeUnit.MILLISECONDS)) {
                    start += 200_000_000L; // waiting for acknowledgements: the device falls behind its schedule
                    continue;
                }
                long thisSeq = seq++;
                unacknowledged.add(thisSeq);
                client.publish("devices/" + device + "/telemetry",
                        Buffer.buffer("{\"seq\":" + thisSeq + ",\"metrics\":{\"t\":" + (thisSeq % 100) + "}}" + PADDING),
                        MqttQoS.AT_LEAST_ONCE, false, false).await(10, TimeUnit.SECONDS);
            }
        } catch (Exception e) {
            if (publishing.get()) {
                throw new IllegalStateException(device + " failed", e);
            }
        }
    }

    private static Map<String, Set<Long>> storedSeqs(String bootstrapServers) {
        Map<String, Set<Long>> stored = new ConcurrentHashMap<>();
        for (TelemetryEvent event : KafkaRecords.readToEnd(bootstrapServers, Topics.TELEMETRY_RAW.name(),
                Topics.TELEMETRY_RAW::decode)) {
            stored.computeIfAbsent(event.getDeviceId(), k -> new HashSet<>()).add(event.getSeq());
        }
        return stored;
    }

    private static long total(Map<String, Set<Long>> acked) {
        return acked.values().stream().mapToLong(Set::size).sum();
    }

    private static long heapAfterGc(MemoryMXBean memory) {
        System.gc();
        return memory.getHeapMemoryUsage().getUsed();
    }

    private static String metrics(int opsPort) throws Exception {
        return io.sluice.testing.Scrape.metrics(opsPort);
    }

    private static double gauge(String metrics, String name) {
        return io.sluice.testing.Scrape.value(metrics, name);
    }
}
