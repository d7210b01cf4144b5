package io.sluice.processor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.sluice.processor.device.DeviceTelemetry;
import io.sluice.runtime.KafkaTopicsBootstrap;
import io.sluice.schemas.avro.TelemetryEvent;
import io.sluice.schemas.avro.TelemetryRollup;
import io.sluice.schemas.kafka.Topics;
import io.sluice.testing.Await;
import io.sluice.testing.KafkaRecords;
import io.sluice.testing.KafkaTestCluster;

/**
 * A hostile device on a real broker: it resends one timestamp over and over, each time with new metric
 * names (256 a message, the bridge's limit). Before the device state had bounds, its dedupe entry for
 * that timestamp grew past Kafka's record limit and the partition's changelog write failed for good,
 * stalling every device on it. Now the state stops at its metric limit: the rest is counted and
 * dead-lettered, every changelog record stays small, and an honest device on the same partition gets
 * every minute, exact.
 */
class DeviceStateBoundsIT {

    private static final int HOSTILE_EVENTS = 600;
    private static final int METRICS_PER_EVENT = 256;

    private static KafkaTestCluster kafka;

    @BeforeAll
    static void start() throws Exception {
        kafka = KafkaTestCluster.start();
        KafkaTopicsBootstrap.ensure(kafka.bootstrapServers(), Topics.newTopics(1, (short) 1), 30_000);
    }

    @AfterAll
    static void stop() throws Exception {
        kafka.close();
    }

    @Test
    void aDeviceSendingEverNewMetricNamesIsBoundedCountedAndDeadLetteredWhileItsPartitionFlows() throws Exception {
        Path state = Files.createTempDirectory("sluice-bounds");
        ProcessorConfig config = new ProcessorConfig(Map.of(ProcessorConfig.KAFKA_BOOTSTRAP_SERVERS, kafka.bootstrapServers(),
                ProcessorConfig.KAFKA_TOPIC_PARTITIONS, 1, ProcessorConfig.APPLICATION_ID, "bounds-test",
                ProcessorConfig.STATE_DIR, state.toString(), ProcessorConfig.OPS_HOST, "127.0.0.1", ProcessorConfig.OPS_PORT, 0,
                ProcessorConfig.STANDBY_REPLICAS, 0,
                // Housekeeping must not close the hostile device's window mid-run on a loaded machine (its later events
                // would then be late, not refused): this test is about the metric bound, not about idleness.
                ProcessorConfig.IDLE_MS, 600_000L));
        long base = (System.currentTimeMillis() - 3_600_000L) / 60_000 * 60_000;
        try (StreamProcessor processor = StreamProcessor.start(config);
             KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                     kafka.bootstrapServers(), ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.LINGER_MS_CONFIG, 5),
                     new StringSerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < HOSTILE_EVENTS; i++) {
                Map<String, Double> metrics = new HashMap<>();
                for (int m = 0; m < METRICS_PER_EVENT; m++) {
                    metrics.put("metric_" + i + "_" + m, (double) m);
                }
                // The same reading time again and again, received as time goes on (as a bridge stamps it): the device is
                // never quiet, so its windows stay open and every event is judged, not taken as late.
                send(producer, "hostile", base, 1L, base + i * 500L, metrics);
                send(producer, "honest", base + i * 500L, (long) i, base + i * 500L, Map.of("t", 1.0));
            }
            send(producer, "honest", base + 10 * 60_000L, 99_999L, base + 10 * 60_000L, Map.of("t", 1.0)); // closes the honest device's minutes
            producer.flush();

            List<TelemetryRollup> minutes = Await.until("the honest device's five minutes", Duration.ofSeconds(60),
                    () -> KafkaRecords.readToEnd(kafka.bootstrapServers(), Topics.TELEMETRY_1M.name(), Topics.TELEMETRY_1M::decode)
                            .stream().filter(r -> r.getDeviceId().equals("honest")).toList(),
                    found -> found.size() >= 5);
            assertEquals(5, minutes.size());
            assertTrue(minutes.stream().allMatch(minute -> minute.getCount() == 120), minutes.toString());

            // Counted, not listed, while waiting: a dead letter carries up to 4 KiB of the event it refused.
            long refused = Await.until("a dead letter for each of the hostile device's events", Duration.ofSeconds(90),
                    () -> KafkaRecords.readToEnd(kafka.bootstrapServers(), Topics.DEAD_LETTER.name(), Topics.DEAD_LETTER::decode)
                            .stream().filter(letter -> letter.getReason().equals(DeviceTelemetry.METRIC_LIMIT)
                                    && letter.getDeviceId().equals("hostile")).count(),
                    count -> count >= HOSTILE_EVENTS);
            assertEquals(HOSTILE_EVENTS, refused, "every event of the hostile device went over its metric limit, once");

            int largest = 0;
            for (ConsumerRecord<byte[], byte[]> change : KafkaRecords.readRecordsToEnd(kafka.bootstrapServers(),
                    "bounds-test-" + DeviceTelemetry.STORE + "-changelog")) {
                largest = Math.max(largest, change.value() == null ? 0 : change.value().length);
            }
            assertTrue(largest > 0 && largest < 16_384, "the largest device state written was " + largest + " bytes");
            System.out.printf("hostile device: %d events of %d new metric names each, all refused over the limit and dead-lettered;"
                    + " largest device state %d bytes; the honest device's 5 minutes exact%n", HOSTILE_EVENTS, METRICS_PER_EVENT, largest);
        }
    }

    private static void send(KafkaProducer<String, byte[]> producer, String device, long ts, long seq, long receivedAtMs,
                             Map<String, Double> metrics) {
        producer.send(new ProducerRecord<>(Topics.TELEMETRY_RAW.name(), device, Topics.TELEMETRY_RAW.encode(
                TelemetryEvent.newBuilder().setDeviceId(device).setTsMs(ts).setSeq(seq).setReceivedAtMs(receivedAtMs).setMetrics(metrics)
                        .build())));
    }
}
