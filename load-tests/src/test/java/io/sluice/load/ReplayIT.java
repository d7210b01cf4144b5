package io.sluice.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.sluice.processor.ProcessorConfig;
import io.sluice.processor.StreamProcessor;
import io.sluice.processor.anomaly.DetectionRules;
import io.sluice.processor.replay.Replay;
import io.sluice.processor.replay.ReplayRange;
import io.sluice.schemas.avro.TelemetryEvent;
import io.sluice.schemas.kafka.Topic;
import io.sluice.schemas.kafka.Topics;
import io.sluice.clickhouse.ClickHouseEndpoint;
import io.sluice.clickhouse.ClickHouseQueries;
import io.sluice.sink.ClickHouseSink;
import io.sluice.sink.SinkConfig;
import io.sluice.testing.Await;
import io.sluice.testing.LocalServers;

/**
 * Replay on real servers: a processor and a sink run live on a real Kafka broker and ClickHouse
 * server; once the range is stored, the same range is replayed twice while they keep running. After
 * each replay, per-device reading counts, per-window rollups and the anomalies in ClickHouse (FINAL)
 * are exactly what was sent, and the same as before the replay.
 */
class ReplayIT {

    private static final int DEVICES = 10;
    private static final int SECONDS = 300;

    private static LocalServers servers;
    private static ClickHouseQueries clickHouse;

    @BeforeAll
    static void start() throws Exception {
        servers = LocalServers.start();
        clickHouse = new ClickHouseQueries(new ClickHouseEndpoint(servers.clickHouseUrl(), servers.clickHouseUser(),
                servers.clickHousePassword()));
    }

    @AfterAll
    static void stop() throws Exception {
        servers.close();
    }

    @Test
    void replayingARangeTwiceWhileLiveProcessingGoesOnChangesNothingAndEveryCountStaysExact() throws Exception {
        Path state = Files.createTempDirectory("sluice-replay-it");
        // Silence is judged by the wall clock while live and not in a replay: off here, so that both raise the same anomalies.
        // The z-score (off by default) is on: its spike below is what the replay must raise again, exactly once.
        String rulesYaml = "defaults: {silence: {enabled: false}, zscore: {enabled: true}}";
        Path rules = Files.writeString(state.resolve("rules.yaml"), rulesYaml);
        ProcessorConfig processorConfig = new ProcessorConfig(Map.of(ProcessorConfig.KAFKA_BOOTSTRAP_SERVERS, servers.kafkaBootstrapServers(),
                ProcessorConfig.STATE_DIR, state.resolve("live").toString(), ProcessorConfig.OPS_HOST, "127.0.0.1",
                ProcessorConfig.OPS_PORT, 0, ProcessorConfig.RULES_FILE, rules.toString(), ProcessorConfig.IDLE_MS, 2_000L, ProcessorConfig.WINDOW_GRACE_MS, 2_000L));
        SinkConfig sinkConfig = new SinkConfig(Map.of(SinkConfig.KAFKA_BOOTSTRAP_SERVERS, servers.kafkaBootstrapServers(),
                SinkConfig.CLICKHOUSE_URL, servers.clickHouseUrl(), SinkConfig.CLICKHOUSE_USER, servers.clickHouseUser(),
                SinkConfig.CLICKHOUSE_PASSWORD, servers.clickHousePassword(), SinkConfig.OPS_HOST, "127.0.0.1", SinkConfig.OPS_PORT, 0));
        long base = (System.currentTimeMillis() - 20 * 60_000L) / 60_000L * 60_000L;
        try (StreamProcessor processor = StreamProcessor.start(processorConfig);
             ClickHouseSink sink = ClickHouseSink.start(sinkConfig)) {
            send(base);
            String readings = "SELECT count() FROM sluice.telemetry FINAL WHERE device_id LIKE 'replay-%'";
            String minutes = "SELECT count() FROM sluice.telemetry_1m FINAL WHERE device_id LIKE 'replay-%'";
            Await.until("every reading and minute stored", Duration.ofSeconds(120),
                    () -> clickHouse.number(readings) == 2L * DEVICES * SECONDS
                            && clickHouse.number(minutes) == 2L * DEVICES * SECONDS / 60);
            awaitSinkCaughtUp();
            String anomaliesBefore = clickHouse.text("SELECT device_id, metric, detector, ts_ms FROM sluice.anomalies FINAL"
                    + " WHERE device_id LIKE 'replay-%' ORDER BY device_id, metric, detector, ts_ms");
            assertTrue(anomaliesBefore.contains("replay-0\tt\tZSCORE\t" + (base + 201_000)), anomaliesBefore);
            long rawRowsBefore = clickHouse.number("SELECT count() FROM sluice.telemetry WHERE device_id LIKE 'replay-%'");

            ReplayRange range = new ReplayRange(Instant.ofEpochMilli(base - 60_000), Instant.ofEpochMilli(base + (SECONDS + 60) * 1000L));
            for (int run = 1; run <= 2; run++) {
                Replay.Outcome outcome = Replay.run(servers.kafkaBootstrapServers(), range, DetectionRules.parse(rulesYaml), state,
                        false);
                assertEquals(DEVICES * SECONDS, outcome.records(), "every raw record in the range replayed");
                awaitSinkCaughtUp();
                assertExact(base);
                assertEquals(anomaliesBefore, clickHouse.text("SELECT device_id, metric, detector, ts_ms FROM sluice.anomalies FINAL"
                        + " WHERE device_id LIKE 'replay-%' ORDER BY device_id, metric, detector, ts_ms"), "replay " + run);
            }
            long rawRowsAfter = clickHouse.number("SELECT count() FROM sluice.telemetry WHERE device_id LIKE 'replay-%'");
            System.out.printf("replayed %d records twice: readings %d in FINAL (rows before FINAL %d before the replays, %d after),"
                    + " %d minute windows, anomalies unchanged%n", DEVICES * SECONDS, clickHouse.number(readings), rawRowsBefore,
                    rawRowsAfter, clickHouse.number(minutes));
        }
    }

    private static void assertExact(long base) throws Exception {
        assertEquals(List.of(String.valueOf(2 * SECONDS)), clickHouse.rows("SELECT DISTINCT c FROM (SELECT device_id, count() AS c"
                + " FROM sluice.telemetry FINAL WHERE device_id LIKE 'replay-%' GROUP BY device_id)").stream().map(r -> r[0]).toList());
        assertEquals(DEVICES, clickHouse.number("SELECT uniqExact(device_id) FROM sluice.telemetry FINAL WHERE device_id LIKE 'replay-%'"));
        String[] windows = clickHouse.rows("SELECT count(), min(count), max(count), min(window_start_ms), max(window_start_ms)"
                + " FROM sluice.telemetry_1m FINAL WHERE device_id LIKE 'replay-%'").get(0);
        assertEquals(List.of(String.valueOf(2 * DEVICES * SECONDS / 60), "60", "60", String.valueOf(base),
                String.valueOf(base + (SECONDS - 60) * 1000L)), List.of(windows), "one row per window, each with its 60 readings");
        assertEquals(0, clickHouse.number("SELECT count() FROM (SELECT device_id, metric, window_start_ms FROM sluice.telemetry_1m"
                + " FINAL WHERE device_id LIKE 'replay-%' GROUP BY device_id, metric, window_start_ms HAVING count() > 1)"));
    }

    /** Readings once a second for {@link #SECONDS} seconds from {@code base}, written with their receive time as Kafka timestamp. */
    private static void send(long base) {
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, servers.kafkaBootstrapServers(), ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.LINGER_MS_CONFIG, 5), new StringSerializer(), new ByteArraySerializer())) {
            for (int s = 0; s < SECONDS; s++) {
                for (int d = 0; d < DEVICES; d++) {
                    String device = "replay-" + d;
                    long ts = base + s * 1000L;
                    Map<String, Double> metrics = new HashMap<>();
                    boolean spike = d == 0 && s >= 200 && s < 203;
                    metrics.put("t", spike ? 1000.0 : s % 17);
                    metrics.put("h", 50.0 + s % 3);
                    producer.send(new ProducerRecord<>(Topics.TELEMETRY_RAW.name(), null, ts + 5, device,
                            Topics.TELEMETRY_RAW.encode(TelemetryEvent.newBuilder().setDeviceId(device).setTsMs(ts)
                                    .setSeq((long) s).setReceivedAtMs(ts + 5).setMetrics(metrics).build())));
                }
            }
            producer.flush();
        }
    }

    /** Until the sink's consumer groups have committed up to the end of the telemetry, rollup and anomaly topics. */
    private static void awaitSinkCaughtUp() {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, servers.kafkaBootstrapServers()))) {
            Await.until("the sink caught up", Duration.ofSeconds(120), () -> {
                for (Map.Entry<Topic<?, ?>, String> table : Map.<Topic<?, ?>, String>of(Topics.TELEMETRY_RAW, "telemetry",
                        Topics.TELEMETRY_1M, "telemetry_1m", Topics.ANOMALIES, "anomalies").entrySet()) {
                    Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
                    for (int p = 0; p < Topics.DEFAULT_PARTITIONS; p++) {
                        latest.put(new TopicPartition(table.getKey().name(), p), OffsetSpec.latest());
                    }
                    Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets("sluice-clickhouse-sink-"
                            + table.getValue()).partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS);
                    for (Map.Entry<TopicPartition, org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo> end
                            : admin.listOffsets(latest, new org.apache.kafka.clients.admin.ListOffsetsOptions(
                                    org.apache.kafka.common.IsolationLevel.READ_COMMITTED)).all().get(10, TimeUnit.SECONDS).entrySet()) {
                        OffsetAndMetadata at = committed.get(end.getKey());
                        // The processors write in transactions: the last offset of a partition is a commit marker,
                        // which the sink's committed offset (last record + 1) stops short of.
                        if (end.getValue().offset() > 1 && (at == null || at.offset() < end.getValue().offset() - 1)) {
                            return false;
                        }
                    }
                }
                return true;
            });
        }
    }
}
