package io.sluice.sink;

import io.sluice.clickhouse.ClickHouseQueries;
import io.sluice.clickhouse.ClickHouseEndpoint;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.sluice.runtime.KafkaTopicsBootstrap;
import io.sluice.schemas.avro.Anomaly;
import io.sluice.schemas.avro.DeadLetter;
import io.sluice.schemas.avro.TelemetryEvent;
import io.sluice.schemas.avro.TelemetryRollup;
import io.sluice.schemas.clickhouse.ClickHouseMigrations;
import io.sluice.schemas.kafka.Topics;
import io.sluice.testing.Await;
import io.sluice.testing.LocalServers;
import io.sluice.testing.WithholdingProxy;

/** The sink against a real ClickHouse server (the Debian package's 18.16 here) and a real Kafka broker. */
class ClickHouseSinkIT {

    private static LocalServers servers;
    private static ClickHouseEndpoint endpoint;
    private static ClickHouseQueries queries;

    @BeforeAll
    static void startServers() throws Exception {
        servers = LocalServers.start();
        endpoint = new ClickHouseEndpoint(servers.clickHouseUrl(), servers.clickHouseUser(), servers.clickHousePassword());
        queries = new ClickHouseQueries(endpoint);
    }

    @AfterAll
    static void stopServers() throws Exception {
        servers.close();
    }

    private static TelemetryEvent event(String device, long ts, Long seq, Map<String, Double> metrics) {
        return TelemetryEvent.newBuilder().setDeviceId(device).setTsMs(ts).setSeq(seq).setReceivedAtMs(ts + 5)
                .setMetrics(metrics).build();
    }

    /** Minutes from three days back: inside every retention, which each sink start applies. */
    private static final long MINUTES_FROM = (System.currentTimeMillis() - 3L * 86_400_000) / 60_000 * 60_000;

    /** The minute window {@code window} of a device, as the processors emit it: {@code readings} readings of value 1. */
    private static TelemetryRollup minute(String device, long window, int readings) {
        long start = MINUTES_FROM + window * 60_000;
        return TelemetryRollup.newBuilder().setDeviceId(device).setMetric("t").setWindowStartMs(start).setWindowMs(60_000)
                .setCount(readings).setSum(readings).setSumSquares(readings).setMin(1).setMax(1).setFirst(1).setFirstTsMs(start)
                .setLast(1).setLastTsMs(start + 59_000).setMaxReceivedAtMs(start + 59_005).build();
    }

    /** Every window of the devices matching {@code like} once in FINAL, each with exactly {@code readings} readings. */
    private static void assertWindowsExact(String like, long windows, int readings) throws Exception {
        assertArrayEquals(new String[] {String.valueOf(windows), String.valueOf(readings), String.valueOf(readings)},
                queries.rows("SELECT count(), min(count), max(count) FROM sluice.telemetry_1m FINAL WHERE device_id LIKE '" + like + "'")
                        .get(0), "one row per window, each exact");
    }

    private static SinkConfig sinkConfig() {
        return new SinkConfig(Map.of(SinkConfig.KAFKA_BOOTSTRAP_SERVERS, servers.kafkaBootstrapServers(),
                SinkConfig.CLICKHOUSE_URL, servers.clickHouseUrl(), SinkConfig.OPS_HOST, "127.0.0.1", SinkConfig.OPS_PORT, 0,
                SinkConfig.RETRY_BACKOFF_MS, 100L, SinkConfig.RETRY_BACKOFF_MAX_MS, 1000L));
    }

    @Test
    void migrationsAreRecordedAndRunOnlyOnce() throws Exception {
        ClickHouseMigrator.migrate(endpoint);
        assertEquals(0, ClickHouseMigrator.migrate(endpoint), "a second run applies nothing");
        assertEquals(ClickHouseMigrations.all().size(),
                queries.number("SELECT count() FROM " + ClickHouseMigrations.HISTORY_TABLE + " FINAL"));
        assertEquals(1, queries.number("EXISTS TABLE sluice.telemetry"));
        assertEquals(1, queries.number("EXISTS TABLE sluice.rejected"));
    }

    @Test
    void sinksStartingAtOnceMigrateAFreshServerOnceBetweenThem() throws Exception {
        try (io.sluice.testing.ClickHouseTestServer fresh = io.sluice.testing.ClickHouseTestServer.start()) {
            ClickHouseEndpoint freshEndpoint = new ClickHouseEndpoint(fresh.url(), "default", "");
            java.util.concurrent.ExecutorService sinks = java.util.concurrent.Executors.newFixedThreadPool(4);
            try {
                java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
                List<java.util.concurrent.Future<Integer>> runs = new java.util.ArrayList<>();
                for (int i = 0; i < 4; i++) {
                    runs.add(sinks.submit(() -> {
                        go.await();
                        return ClickHouseMigrator.migrate(freshEndpoint);
                    }));
                }
                go.countDown();
                int ran = 0;
                for (java.util.concurrent.Future<Integer> run : runs) {
                    ran += run.get(60, TimeUnit.SECONDS);
                }
                assertTrue(ran >= ClickHouseMigrations.all().size(), "every migration ran at least once: " + ran);
            } finally {
                sinks.shutdownNow();
            }
            ClickHouseQueries freshQueries = new ClickHouseQueries(freshEndpoint);
            assertEquals(ClickHouseMigrations.all().size(), freshQueries.number(
                    "SELECT count() FROM " + ClickHouseMigrations.HISTORY_TABLE + " FINAL"), "one history row per version");
            assertEquals(4, freshQueries.number("SELECT count() FROM system.tables WHERE database = 'sluice'"
                    + " AND name IN ('telemetry', 'rejected', 'device_sessions', 'schema_history')"));
            assertEquals(0, ClickHouseMigrator.migrate(freshEndpoint), "nothing left to run");
        }
    }

    @Test
    void theTelemetryWriterStoresEveryReadingExactly() throws Exception {
        ClickHouseMigrator.migrate(endpoint);
        try (TelemetryWriter writer = new TelemetryWriter(endpoint)) {
            assertEquals(3, writer.write(List.of(
                    event("jdbc-1", 1_763_800_000_123L, 9L, Map.of("temperature", 21.5, "humidity", 40.25)),
                    event("jdbc-2", 1_763_800_001_000L, null, Map.of("temperature", -3.0)))));
        }
        List<String[]> rows = queries.rows("SELECT device_id, metric, value, ts_ms, seq, received_at_ms, toString(ts)"
                + " FROM sluice.telemetry WHERE device_id LIKE 'jdbc-%' ORDER BY device_id, metric");
        assertEquals(3, rows.size());
        assertArrayEquals(new String[] {"jdbc-1", "humidity", "40.25", "1763800000123", "9", "1763800000128", "2025-11-22 08:26:40"},
                rows.get(0));
        assertArrayEquals(new String[] {"jdbc-1", "temperature", "21.5", "1763800000123", "9", "1763800000128", "2025-11-22 08:26:40"},
                rows.get(1));
        assertArrayEquals(new String[] {"jdbc-2", "temperature", "-3", "1763800001000", "-1", "1763800001005", "2025-11-22 08:26:41"},
                rows.get(2));
    }

    @Test
    void retentionDropsTheDayPartitionsOlderThanTheTablesRetentionAndKeepsTheRest() throws Exception {
        ClickHouseMigrator.migrate(endpoint);
        java.time.LocalDate today = java.time.LocalDate.of(2026, 11, 22);
        long day = 24L * 60 * 60 * 1000;
        long todayMs = today.atStartOfDay(java.time.ZoneOffset.UTC).toInstant().toEpochMilli() + 3_600_000;
        try (TelemetryWriter writer = new TelemetryWriter(endpoint)) {
            writer.write(List.of(
                    event("ret-1", todayMs, 1L, Map.of("t", 1.0)),
                    event("ret-1", todayMs - 29 * day, 2L, Map.of("t", 1.0)),
                    event("ret-1", todayMs - 30 * day, 3L, Map.of("t", 1.0)),
                    event("ret-1", todayMs - 45 * day, 4L, Map.of("t", 1.0))));
        }
        PartitionRetention retention = new PartitionRetention(queries,
                List.of(new PartitionRetention.Rule("telemetry", 30), new PartitionRetention.Rule("rejected", 0)),
                new io.micrometer.core.instrument.simple.SimpleMeterRegistry(), io.sluice.schemas.clickhouse.ClickHouseMigrations.Dialect.PORTABLE);
        // Other tests' rows share the table, so count what is left rather than what was dropped.
        assertTrue(retention.runOnce(today) >= 2, "at least the partitions 30 and 45 days back");
        assertEquals(0, queries.number("SELECT count() FROM system.parts WHERE database = 'sluice' AND table = 'telemetry'"
                + " AND active AND toUInt32(partition) < 20261024"), "no partition older than 30 days is left");
        assertEquals(List.of("1", "2"), queries.rows("SELECT seq FROM sluice.telemetry WHERE device_id = 'ret-1' ORDER BY seq")
                .stream().map(row -> row[0]).toList(), "today and 29 days back are kept (30 days, today included)");
        assertEquals(0, retention.runOnce(today), "running again drops nothing");
    }

    @Test
    void killedWithSigkillMidStreamThreeTimesTheSinkLeavesEveryRowOnceInFinalQueries() throws Exception {
        ClickHouseMigrator.migrate(endpoint);
        int devices = 50;
        int events = 40_000;
        KafkaTopicsBootstrap.ensure(servers.kafkaBootstrapServers(),
                List.of(Topics.TELEMETRY_RAW.newTopic(12, (short) 1)), 30_000);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(
                Map.of("bootstrap.servers", servers.kafkaBootstrapServers(), "acks", "all", "linger.ms", 5),
                new ByteArraySerializer(),
                new ByteArraySerializer())) {
            long base = System.currentTimeMillis() - 60_000;
            for (int i = 0; i < events; i++) {
                String device = "kill-" + (i % devices);
                producer.send(new ProducerRecord<>(Topics.TELEMETRY_RAW.name(), device.getBytes(),
                        Topics.TELEMETRY_RAW.encode(event(device, base + i, (long) i, Map.of("t", 1.0, "h", 2.0)))));
                if (i < WINDOWS) {
                    producer.send(new ProducerRecord<>(Topics.TELEMETRY_1M.name(), device.getBytes(),
                            Topics.TELEMETRY_1M.encode(minute(device, i, 60)))).get();
                }
            }
            producer.flush();
        }
        long expected = 2L * events;
        String count = "SELECT count() FROM sluice.telemetry FINAL WHERE device_id LIKE 'kill-%'";
        Callable<Long> stored = () -> queries.number(count);
        String raw = "SELECT count() FROM sluice.telemetry WHERE device_id LIKE 'kill-%'";
        try (WithholdingProxy proxy = new WithholdingProxy(URI.create(servers.clickHouseUrl()).getPort())) {
            for (int kill = 1; kill <= 3; kill++) {
                // The second sink reaches ClickHouse through a proxy that can hold answers back.
                Process sink = startSinkProcess(kill == 2 ? "http://127.0.0.1:" + proxy.port() : servers.clickHouseUrl());
                long before = stored.call();
                try {
                    // Kill it once it is inserting again: some rows more than before, far from all of them.
                    long threshold = before + 2_000;
                    Await.until("the sink process inserting (kill " + kill + ")", Duration.ofSeconds(60), () -> {
                        if (!sink.isAlive()) {
                            throw new AssertionError("the sink process exited with " + sink.exitValue());
                        }
                        return stored.call() >= threshold;
                    });
                    if (kill == 2) {
                        // Mid-batch for certain: an insert ClickHouse carried out after this point was never
                        // answered, so its offsets were never committed when the SIGKILL lands.
                        proxy.withhold(true);
                        long held = queries.number(raw);
                        Await.until("an insert carried out whose answer the sink never got", Duration.ofSeconds(30),
                                () -> queries.number(raw) > held);
                    }
                    assertTrue(stored.call() < expected, "killed mid-stream, before the end");
                } finally {
                    sink.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            }
        }
        Process sink = startSinkProcess(servers.clickHouseUrl());
        try {
            Await.until("every row in FINAL after three SIGKILLs", Duration.ofSeconds(90), () -> stored.call() == expected);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
            while (System.nanoTime() < deadline && windowsStored() < WINDOWS) {
                Thread.sleep(200);
            }
            if (windowsStored() < WINDOWS) {
                System.out.println("minute windows missing from telemetry_1m: " + queries.rows("SELECT w FROM (SELECT arrayJoin(range(" + WINDOWS
                        + ")) AS w) WHERE w NOT IN (SELECT intDiv(window_start_ms - " + MINUTES_FROM
                        + ", 60000) FROM sluice.telemetry_1m WHERE device_id LIKE 'kill-%')").stream().map(r -> r[0]).toList());
            }
            System.out.println("minute windows in FINAL " + windowsStored() + ", before FINAL "
                    + queries.number("SELECT count() FROM sluice.telemetry_1m WHERE device_id LIKE 'kill-%'"));
        } finally {
            sink.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        assertEquals(expected, stored.call());
        assertWindowsExact("kill-%", WINDOWS, 60);
        assertEquals(List.of(String.valueOf(2L * events / devices)), queries.rows(
                "SELECT DISTINCT c FROM (SELECT device_id, count() AS c FROM sluice.telemetry FINAL WHERE device_id LIKE 'kill-%'"
                        + " GROUP BY device_id)").stream().map(row -> row[0]).toList(), "every device exact");
        // Rows before FINAL are printed, not asserted: background merges of the ReplacingMergeTree may already have
        // collapsed the batch written twice.
        long rowsBeforeFinal = queries.number(raw);
        System.out.printf("sink killed with SIGKILL 3 times mid-stream, once between an insert and its commit: %d rows expected,"
                + " %d in FINAL, %d before FINAL%n", expected, expected, rowsBeforeFinal);
    }

    private static final int WINDOWS = 4_000;
    private static int sinkStarts;

    private static long windowsStored() throws Exception {
        return queries.number("SELECT count() FROM sluice.telemetry_1m FINAL WHERE device_id LIKE 'kill-%'");
    }

    /** The sink as its own process (the test's class path), small batches, so that a SIGKILL lands mid-stream. */
    private static Process startSinkProcess(String clickHouseUrl) throws java.io.IOException {
        String javaBinary = java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java").toString();
        return new ProcessBuilder(javaBinary, "-Xmx256m", "-cp", System.getProperty("java.class.path"), SinkMain.class.getName(),
                "--set", "kafka.bootstrap.servers=" + servers.kafkaBootstrapServers(),
                "--set", "clickhouse.url=" + clickHouseUrl,
                "--set", "clickhouse.user=" + servers.clickHouseUser(),
                "--set", "clickhouse.password=" + servers.clickHousePassword(),
                "--set", "kafka.group.id=sigkill-test", "--set", "instance.id=sigkill-test",
                "--set", "batch.max.rows=1000", "--set", "batch.max.age.ms=100", "--set", "kafka.session.timeout.ms=6000",
                "--set", "ops.host=127.0.0.1", "--set", "ops.port=0")
                .redirectErrorStream(true).redirectOutput(new java.io.File("target/sigkill-sink-" + (++sinkStarts) + ".log")).start();
    }

    @Test
    void deadLettersLandInTheRejectedTableWithTheirReason() throws Exception {
        DeadLetter letter = DeadLetter.newBuilder().setDeviceId("dl-1").setSource("mqtt-bridge")
                .setMqttTopic("devices/dl-1/telemetry").setReason("NOT_JSON").setDetail("Unexpected character")
                .setPayload(ByteBuffer.wrap("{oops".getBytes(StandardCharsets.UTF_8))).setPayloadSize(5)
                .setReceivedAtMs(1_763_800_000_000L).build();
        try (ClickHouseSink sink = ClickHouseSink.start(sinkConfig());
             KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                     ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, servers.kafkaBootstrapServers()),
                     new StringSerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(Topics.DEAD_LETTER.name(), "dl-1", Topics.DEAD_LETTER.encode(letter)));
            producer.send(new ProducerRecord<>(Topics.DEAD_LETTER.name(), "dl-1", Topics.DEAD_LETTER.encode(letter)));
            producer.flush();
            Await.until("two rejected rows", Duration.ofSeconds(30),
                    () -> queries.number("SELECT count() FROM sluice.rejected WHERE device_id = 'dl-1'") == 2);
            assertArrayEquals(new String[] {"mqtt-bridge", "devices/dl-1/telemetry", "NOT_JSON", "{oops", "5", "2025-11-22 08:26:40"},
                    queries.rows("SELECT source, mqtt_topic, reason, payload, payload_size, toString(received_at)"
                            + " FROM sluice.rejected FINAL WHERE device_id = 'dl-1'").get(0));
            assertEquals(1, queries.number("SELECT count() FROM sluice.rejected FINAL WHERE device_id = 'dl-1'"),
                    "the same rejection delivered twice collapses");
        }
    }

    @Test
    void everyRecordArrivesOnceInFinalQueriesThoughClickHouseStopsMidStream() throws Exception {
        int events = 2_000;
        try (ClickHouseSink sink = ClickHouseSink.start(sinkConfig());
             KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                     ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, servers.kafkaBootstrapServers(),
                     ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < events; i++) {
                String device = "outage-" + (i % 20);
                producer.send(new ProducerRecord<>(Topics.TELEMETRY_RAW.name(), device, Topics.TELEMETRY_RAW.encode(
                        event(device, 1_763_800_000_000L + i, (long) i, Map.of("t", (double) i, "h", 1.0)))));
                producer.send(new ProducerRecord<>(Topics.TELEMETRY_1M.name(), device, Topics.TELEMETRY_1M.encode(
                        minute(device, i, 60))));
                if (i == events / 2) {
                    producer.flush();
                    Await.until("the first half in ClickHouse", Duration.ofSeconds(30),
                            () -> queries.number("SELECT count() FROM sluice.telemetry WHERE device_id LIKE 'outage-%'") > 0);
                    servers.clickHouse().stop();
                }
            }
            producer.flush();
            HttpClient http = HttpClient.newHttpClient();
            HttpRequest readiness = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + sink.opsPort() + "/health/ready")).build();
            Await.until("the sink to report its failing inserts as not ready", Duration.ofSeconds(30),
                    () -> http.send(readiness, HttpResponse.BodyHandlers.discarding()).statusCode() == 503);
            servers.clickHouse().restart();
            Await.until("every reading in ClickHouse", Duration.ofSeconds(60),
                    () -> queries.number("SELECT count() FROM sluice.telemetry FINAL WHERE device_id LIKE 'outage-%'"),
                    count -> count == 2L * events);
            assertEquals(events, queries.number("SELECT uniqExact(seq) FROM sluice.telemetry FINAL WHERE device_id LIKE 'outage-%'"));
            Await.until("every minute window in FINAL", Duration.ofSeconds(60),
                    () -> queries.number("SELECT count() FROM sluice.telemetry_1m FINAL WHERE device_id LIKE 'outage-%'") == events);
            assertWindowsExact("outage-%", events, 60);
            assertEquals(2L * events, queries.number(
                    "SELECT count() FROM (SELECT device_id, metric, ts_ms, seq FROM sluice.telemetry FINAL"
                            + " WHERE device_id LIKE 'outage-%' GROUP BY device_id, metric, ts_ms, seq)"));
        }
    }

    @Test
    void rollupsAndAnomaliesLandInTheirTablesAndAFullerRewriteOfAWindowWins() throws Exception {
        long minute = 1_763_800_020_000L - 1_763_800_020_000L % 60_000;
        TelemetryRollup partial = TelemetryRollup.newBuilder().setDeviceId("roll-1").setMetric("t").setWindowStartMs(minute)
                .setWindowMs(60_000).setCount(2).setSum(3).setSumSquares(5).setMin(1).setMax(2).setFirst(1).setFirstTsMs(minute)
                .setLast(2).setLastTsMs(minute + 1).setMaxReceivedAtMs(minute + 2).build();
        TelemetryRollup full = TelemetryRollup.newBuilder(partial).setCount(3).setSum(6).setSumSquares(14).setMax(3).setLast(3)
                .setLastTsMs(minute + 2).build();
        Anomaly anomaly = Anomaly.newBuilder().setDeviceId("roll-1").setMetric("t").setTsMs(minute + 2).setValue(3)
                .setExpected(2).setScore(Double.NaN).setDetector("THRESHOLD").setSeverity("CRITICAL").setDetail("t 3 above max 2")
                .setDetectedAtMs(minute + 5).setReceivedAtMs(minute + 2).build();
        try (ClickHouseSink sink = ClickHouseSink.start(sinkConfig());
             KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                     ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, servers.kafkaBootstrapServers()),
                     new StringSerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(Topics.TELEMETRY_1M.name(), "roll-1", Topics.TELEMETRY_1M.encode(full)));
            producer.send(new ProducerRecord<>(Topics.TELEMETRY_1M.name(), "roll-1", Topics.TELEMETRY_1M.encode(partial)));
            producer.send(new ProducerRecord<>(Topics.TELEMETRY_1H.name(), "roll-1", Topics.TELEMETRY_1H.encode(
                    TelemetryRollup.newBuilder(full).setWindowMs(3_600_000).setWindowStartMs(minute - minute % 3_600_000).build())));
            producer.send(new ProducerRecord<>(Topics.ANOMALIES.name(), "roll-1", Topics.ANOMALIES.encode(anomaly)));
            producer.send(new ProducerRecord<>(Topics.ANOMALIES.name(), "roll-1", Topics.ANOMALIES.encode(anomaly)));
            producer.flush();
            Await.until("both minute rows, the hour and the anomalies", Duration.ofSeconds(30),
                    () -> queries.number("SELECT count() FROM sluice.telemetry_1m WHERE device_id = 'roll-1'") == 2
                            && queries.number("SELECT count() FROM sluice.telemetry_1h WHERE device_id = 'roll-1'") == 1
                            && queries.number("SELECT count() FROM sluice.anomalies WHERE device_id = 'roll-1'") == 2);
            assertArrayEquals(new String[] {"3", "6", "14", "1", "3", "3", "2", "2025-11-22 08:27:00"},
                    queries.rows("SELECT count, sum, sum_squares, min, max, last, avg, toString(window_start)"
                            + " FROM sluice.telemetry_1m FINAL WHERE device_id = 'roll-1'").get(0));
            assertEquals(1, queries.number("SELECT count() FROM sluice.telemetry_1m FINAL WHERE device_id = 'roll-1'"),
                    "one row per window, the fuller one");
            assertArrayEquals(new String[] {"THRESHOLD", "CRITICAL", "3", "2", "0", "t 3 above max 2"},
                    queries.rows("SELECT detector, severity, value, expected, score, detail FROM sluice.anomalies FINAL"
                            + " WHERE device_id = 'roll-1'").get(0));
            assertEquals(1, queries.number("SELECT count() FROM sluice.anomalies FINAL WHERE device_id = 'roll-1'"));
        }
    }
}
