package io.sluice.sink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sluice.clickhouse.ChdbEngine;
import io.sluice.clickhouse.ClickHouseQueries;
import io.sluice.schemas.avro.Anomaly;
import io.sluice.schemas.avro.DeadLetter;
import io.sluice.schemas.avro.TelemetryEvent;
import io.sluice.schemas.avro.TelemetryRollup;
import io.sluice.schemas.clickhouse.ClickHouseMigrations;
import io.sluice.schemas.clickhouse.ClickHouseMigrations.Dialect;
import io.sluice.testing.Await;
import io.sluice.testing.FleetSample;

/**
 * The current dialect on a current ClickHouse (26.7, chdb): a fresh database gets the current tables from the migrations,
 * the sink's own writers fill them with a small fleet's realistic data (retransmissions and rewritten windows included),
 * and what ClickHouse answers is compared, row by row, with what was written; then retention by TTL.
 */
class CurrentDialectIT {

    private static final DateTimeFormatter MILLIS = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS").withZone(ZoneOffset.UTC);
    private static final FleetSample FLEET = FleetSample.endingNow("cur", 4, 10);
    private static final String FLEET_ONLY = " WHERE device_id LIKE 'cur-%'";

    private static ChdbEngine engine;
    private static ClickHouseQueries clickHouse;
    private static ClickHouseMigrator.Result firstRun;
    private static long rowsWritten;
    private static long rowsStored;
    private static long rowsBeforeMerges;

    @BeforeAll
    static void migrateAndWrite(@TempDir Path dir) throws Exception {
        engine = ChdbEngine.start(dir.resolve("chdb"));
        clickHouse = new ClickHouseQueries(engine.endpoint());
        firstRun = ClickHouseMigrator.run(clickHouse);
        // No merges while the fleet is written: the duplicates written in different batches stay apart, for FINAL to collapse.
        clickHouse.text("SYSTEM STOP MERGES sluice.telemetry");
        try (TelemetryWriter telemetry = new TelemetryWriter(engine.endpoint())) {
            List<List<TelemetryEvent>> batches = batches(arrivals(), 500); // as the sink's loop writes them: batch by batch
            batches.add(batches.get(3)); // a sink killed between an insert and its offsets' commit writes the batch again
            for (List<TelemetryEvent> batch : batches) {
                rowsWritten += telemetry.write(batch);
                // A retransmission in the same batch as its first copy collapses as the block is written: one part
                // holds one row per key. Across batches they stay apart until a merge, or FINAL.
                rowsStored += batch.stream().map(e -> e.getDeviceId() + "@" + e.getTsMs()).distinct().count()
                        * FleetSample.METRICS.size();
            }
        }
        rowsBeforeMerges = clickHouse.number("SELECT count() FROM sluice.telemetry");
        clickHouse.text("SYSTEM START MERGES sluice.telemetry");
        for (String table : List.of("telemetry_1m", "telemetry_1h")) {
            try (RollupWriter rollups = new RollupWriter(engine.endpoint(), table)) {
                List<TelemetryRollup> windows = FLEET.rollups(table.endsWith("1m") ? 60_000 : 3_600_000);
                rollups.write(windows);
                // The first window of each series again, rebuilt from half its readings (a replay cut short): the
                // fuller one, written earlier, must stay.
                rollups.write(windows.stream().filter(w -> w.getWindowStartMs() == windows.get(0).getWindowStartMs())
                        .map(w -> TelemetryRollup.newBuilder(w).setCount(w.getCount() / 2).setSum(w.getSum() / 2).build()).toList());
            }
        }
        try (AnomalyWriter anomalies = new AnomalyWriter(engine.endpoint())) {
            anomalies.write(FLEET.anomalies());
            anomalies.write(FLEET.anomalyRepeats());
        }
        try (SessionWriter sessions = new SessionWriter(engine.endpoint())) {
            sessions.write(FLEET.sessions());
        }
        try (RejectedWriter rejected = new RejectedWriter(engine.endpoint())) {
            rejected.write(FLEET.deadLetters());
        }
    }

    @AfterAll
    static void stop() {
        if (engine != null) {
            engine.close();
        }
    }

    /** The fleet's messages in the order the sink gets them: each retransmission 2 s after the first copy. */
    private static List<TelemetryEvent> arrivals() {
        List<TelemetryEvent> arrivals = new ArrayList<>(FLEET.events());
        arrivals.addAll(FLEET.retransmissions());
        arrivals.sort((a, b) -> Long.compare(a.getReceivedAtMs(), b.getReceivedAtMs()));
        return arrivals;
    }

    private static <T> List<List<T>> batches(List<T> records, int size) {
        List<List<T>> batches = new ArrayList<>();
        for (int i = 0; i < records.size(); i += size) {
            batches.add(records.subList(i, Math.min(records.size(), i + size)));
        }
        return batches;
    }

    @Test
    void aFreshDatabaseGetsTheCurrentTablesOnceWithTheirChecksums() throws Exception {
        List<ClickHouseMigrations.Migration> current = ClickHouseMigrations.all(Dialect.CURRENT);
        assertEquals(new ClickHouseMigrator.Result(Dialect.CURRENT, current.size()), firstRun);
        assertEquals(7, current.size());
        assertEquals(current.stream().map(m -> m.version() + "\tcurrent\t" + m.name() + "\t" + m.checksum()).toList(),
                lines("SELECT version, dialect, name, checksum FROM sluice.schema_history FINAL ORDER BY version"));
        assertEquals(new ClickHouseMigrator.Result(Dialect.CURRENT, 0), ClickHouseMigrator.run(clickHouse), "a second run runs nothing");
        assertEquals(current.size(), clickHouse.number("SELECT count() FROM sluice.schema_history FINAL"));
    }

    @Test
    void theTablesHaveTheCurrentTypesAndCodecs() throws Exception {
        String tables = " FROM system.columns WHERE database = 'sluice' AND table IN ('telemetry', 'rejected', 'device_sessions',"
                + " 'telemetry_1m', 'telemetry_1h', 'anomalies')";
        assertEquals(List.of("anomalies", "device_sessions", "telemetry", "telemetry_1h", "telemetry_1m"),
                lines("SELECT table" + tables + " AND name = 'device_id' AND type = 'LowCardinality(String)' ORDER BY table"),
                "device ids are LowCardinality (the rejected table's are a few among many)");
        assertEquals(List.of("anomalies.ts", "device_sessions.ts", "rejected.received_at", "telemetry.received_at", "telemetry.ts",
                        "telemetry_1h.window_start", "telemetry_1m.window_start"),
                lines("SELECT table || '.' || name" + tables + " AND type = 'DateTime64(3, \\'UTC\\')' AND default_kind = 'ALIAS'"
                        + " ORDER BY table, name"), "times are DateTime64(3, 'UTC') over the epoch milliseconds, not stored twice");
        assertEquals(List.of("telemetry_1h.avg", "telemetry_1m.avg"),
                lines("SELECT table || '.' || name" + tables + " AND type = 'Float64' AND default_kind = 'ALIAS' ORDER BY table"));
        assertEquals(List.of("device_sessions.protocol_version"), lines("SELECT table || '.' || name" + tables
                + " AND default_kind != 'ALIAS' AND type NOT LIKE 'LowCardinality%' AND compression_codec = ''"),
                "every other stored column has its codec");
        assertEquals(List.of("received_at_ms\tCODEC(Delta(8), T64, ZSTD(1))", "seq\tCODEC(DoubleDelta, ZSTD(1))",
                        "ts_ms\tCODEC(Delta(8), T64, ZSTD(1))", "value\tCODEC(ZSTD(3))"),
                lines("SELECT name, compression_codec" + tables + " AND table = 'telemetry' AND compression_codec != '' ORDER BY name"));
        assertEquals(List.of("telemetry\tmetric, device_id, ts_ms, seq", "telemetry_1h\tmetric, device_id, window_start_ms",
                        "telemetry_1m\tmetric, device_id, window_start_ms"),
                lines("SELECT name, sorting_key FROM system.tables WHERE database = 'sluice' AND name LIKE 'telemetry%' ORDER BY name"),
                "the metric first, so that fleet-wide queries of one metric read its granules only");
        assertTrue(clickHouse.text("SELECT engine_full FROM system.tables WHERE database = 'sluice' AND name = 'telemetry_1h'")
                .contains("PARTITION BY toYYYYMM("), "the two-year table has monthly partitions");
    }

    @Test
    void finalCollapsesRetransmissionsToOneRowPerReading() throws Exception {
        long retransmitted = FLEET.retransmissions().size() * (long) FleetSample.METRICS.size();
        assertTrue(rowsWritten > FLEET.readings() + retransmitted, "the writer wrote every row it was given, a batch twice");
        assertEquals(rowsStored, rowsBeforeMerges, "one row per key and batch");
        assertTrue(rowsBeforeMerges > FLEET.readings() + 1_000, "duplicates stored: " + rowsBeforeMerges);
        assertEquals(FLEET.readings(), clickHouse.number("SELECT uniqExact(device_id, metric, ts_ms, seq) FROM sluice.telemetry"
                + FLEET_ONLY));
        assertEquals(FLEET.readings(), clickHouse.number("SELECT count() FROM sluice.telemetry FINAL" + FLEET_ONLY),
                "FINAL: one row per key");
        assertEquals(List.of("1"), lines("SELECT max(c) FROM (SELECT count() AS c FROM sluice.telemetry FINAL"
                + " GROUP BY device_id, metric, ts_ms, seq)"));
        clickHouse.text("OPTIMIZE TABLE sluice.telemetry FINAL");
        Await.until("the merges to collapse the duplicates", Duration.ofSeconds(30),
                () -> clickHouse.number("SELECT count() FROM sluice.telemetry" + FLEET_ONLY) == FLEET.readings());
    }

    @Test
    void everyReadingIsStoredExactlyWithItsTimeToTheMillisecond() throws Exception {
        Map<String, TelemetryEvent> latest = new LinkedHashMap<>(); // the ReplacingMergeTree's version: the latest received
        arrivals().forEach(event -> latest.merge(event.getDeviceId() + "@" + event.getTsMs(), event,
                (a, b) -> a.getReceivedAtMs() >= b.getReceivedAtMs() ? a : b));
        TreeSet<String> expected = new TreeSet<>();
        for (TelemetryEvent event : latest.values()) {
            event.getMetrics().forEach((metric, value) -> expected.add(String.join("\t", event.getDeviceId(), metric,
                    Long.toString(event.getTsMs()), Long.toString(event.getSeq()), Long.toUnsignedString(Double.doubleToRawLongBits(value)),
                    Long.toString(event.getReceivedAtMs()), MILLIS.format(Instant.ofEpochMilli(event.getTsMs())),
                    MILLIS.format(Instant.ofEpochMilli(event.getReceivedAtMs())))));
        }
        List<String> stored = lines("SELECT device_id, metric, ts_ms, seq, reinterpretAsUInt64(value), received_at_ms, toString(ts),"
                + " toString(received_at) FROM sluice.telemetry FINAL" + FLEET_ONLY);
        assertEquals(expected.size(), stored.size());
        assertEquals(expected, new TreeSet<>(stored), "every reading, its value to the bit, its times to the millisecond");
        assertEquals(List.of(FLEET.readings() + "\t0\t0\t" + FLEET.readings()),
                lines("SELECT count(), countIf(ts != fromUnixTimestamp64Milli(toInt64(ts_ms), 'UTC')),"
                        + " countIf(toUnixTimestamp64Milli(ts) != ts_ms), countIf(toMillisecond(ts) != 0)"
                        + " FROM sluice.telemetry FINAL" + FLEET_ONLY),
                "ts is ts_ms to the millisecond (and no reading falls on a whole second)");
    }

    @Test
    void rollupsKeepTheFullerWindowAndTheirAverageIsSumOverCount() throws Exception {
        for (String table : List.of("telemetry_1m", "telemetry_1h")) {
            List<TelemetryRollup> windows = FLEET.rollups(table.endsWith("1m") ? 60_000 : 3_600_000);
            List<String> stored = lines("SELECT device_id, metric, window_start_ms, count, sum, sum_squares, min, max, first,"
                    + " first_ts_ms, last, last_ts_ms, avg, toString(window_start), avg = sum / count FROM sluice." + table
                    + " FINAL ORDER BY device_id, metric, window_start_ms");
            assertEquals(windows.size(), stored.size(), table + ": one row per window");
            Map<String, TelemetryRollup> byKey = new LinkedHashMap<>();
            windows.forEach(w -> byKey.put(w.getDeviceId() + "\t" + w.getMetric() + "\t" + w.getWindowStartMs(), w));
            for (String line : stored) {
                String[] row = line.split("\t");
                TelemetryRollup w = byKey.get(row[0] + "\t" + row[1] + "\t" + row[2]);
                String what = table + " " + line;
                assertEquals(List.of(w.getCount(), w.getFirstTsMs(), w.getLastTsMs()),
                        List.of(Long.parseLong(row[3]), Long.parseLong(row[9]), Long.parseLong(row[11])), what);
                assertEquals(List.of(w.getSum(), w.getSumSquares(), w.getMin(), w.getMax(), w.getFirst(), w.getLast()),
                        List.of(d(row[4]), d(row[5]), d(row[6]), d(row[7]), d(row[8]), d(row[10])), what);
                assertEquals(w.getSum() / w.getCount(), d(row[12]), 1e-9, what);
                assertEquals(MILLIS.format(Instant.ofEpochMilli(w.getWindowStartMs())), row[13], what);
                assertEquals("1", row[14], what + ": avg is sum / count");
            }
        }
        assertEquals(List.of(Long.toString(FLEET.readings())), lines("SELECT sum(count) FROM sluice.telemetry_1m FINAL"));
        assertEquals(List.of(Long.toString(FLEET.readings())), lines("SELECT sum(count) FROM sluice.telemetry_1h FINAL"));
    }

    @Test
    void anomaliesSessionsAndRefusalsAreStoredAsWritten() throws Exception {
        Map<String, Anomaly> raised = new LinkedHashMap<>(); // no version column: the one written last stays
        for (Anomaly a : concat(FLEET.anomalies(), FLEET.anomalyRepeats())) {
            raised.put(a.getDeviceId() + a.getMetric() + a.getDetector() + a.getTsMs(), a);
        }
        List<String> anomalies = raised.values().stream().map(a -> String.join("\t", a.getDeviceId(), a.getMetric(), a.getDetector(),
                Long.toString(a.getTsMs()), a.getSeverity(), Double.toString(a.getValue()), Double.toString(a.getExpected()),
                Double.toString(a.getScore()), a.getDetail(), Long.toString(a.getDetectedAtMs()), Long.toString(a.getReceivedAtMs()),
                MILLIS.format(Instant.ofEpochMilli(a.getTsMs())))).toList();
        assertEquals(new TreeSet<>(anomalies), new TreeSet<>(lines("SELECT device_id, metric, detector, ts_ms, severity, value,"
                + " expected, score, detail, detected_at_ms, received_at_ms, toString(ts) FROM sluice.anomalies FINAL").stream()
                .map(CurrentDialectIT::doublesAsJava).toList()), "one row per anomaly, the one raised again as raised last");
        assertEquals(FLEET.anomalies().size(), raised.size());

        List<String> sessions = FLEET.sessions().stream().map(s -> String.join("\t", s.getDeviceId(), s.getClientId(), s.getBridgeId(),
                s.getEvent(), s.getReason(), s.getAddress(), s.getTransport(), Integer.toString(s.getProtocolVersion()),
                Integer.toString(s.getKeepAliveSeconds()), Long.toString(s.getTsMs()), Long.toString(s.getConnectedMs()),
                MILLIS.format(Instant.ofEpochMilli(s.getTsMs())))).toList();
        assertEquals(new TreeSet<>(sessions), new TreeSet<>(lines("SELECT device_id, client_id, bridge_id, event, reason, address,"
                + " transport, protocol_version, keep_alive_s, ts_ms, connected_ms, toString(ts) FROM sluice.device_sessions FINAL")));
        assertEquals(sessions.size(), clickHouse.number("SELECT count() FROM sluice.device_sessions FINAL"));

        List<String> refusals = new ArrayList<>();
        for (DeadLetter letter : FLEET.deadLetters()) {
            ByteBuffer payload = letter.getPayload().duplicate();
            byte[] bytes = new byte[payload.remaining()];
            payload.get(bytes);
            refusals.add(String.join("\t", letter.getSource(), letter.getDeviceId(), letter.getMqttTopic(), letter.getReason(),
                    letter.getDetail(), HexFormat.of().withUpperCase().formatHex(bytes), Integer.toString(letter.getPayloadSize()),
                    Long.toString(letter.getReceivedAtMs()), MILLIS.format(Instant.ofEpochMilli(letter.getReceivedAtMs()))));
        }
        assertEquals(new TreeSet<>(refusals), new TreeSet<>(lines("SELECT source, device_id, mqtt_topic, reason, detail, hex(payload),"
                + " payload_size, received_at_ms, toString(received_at) FROM sluice.rejected FINAL")), "the payloads byte for byte");
    }

    @Test
    void retentionSetsTheTablesTtlInDaysAndRemovesItForZero() throws Exception {
        PartitionRetention retention = retention(7, 0);
        try {
            assertEquals(2, retention.runOnce(LocalDate.now(ZoneOffset.UTC)), "telemetry's TTL changed, rejected's removed");
            String telemetry = engineOf("telemetry");
            assertTrue(telemetry.contains("TTL toDateTime(intDiv(ts_ms, 1000), 'UTC') + toIntervalDay(7)"), telemetry);
            assertFalse(engineOf("rejected").contains("TTL"), engineOf("rejected"));
            assertTrue(engineOf("device_sessions").contains("toIntervalDay(90)"), "tables without a rule keep theirs");
            assertEquals(0, retention.runOnce(LocalDate.now(ZoneOffset.UTC)), "a second run changes nothing");
            assertEquals(FLEET.readings(), clickHouse.number("SELECT count() FROM sluice.telemetry FINAL" + FLEET_ONLY), "recent readings kept");
        } finally {
            assertEquals(2, retention(30, 30).runOnce(LocalDate.now(ZoneOffset.UTC)), "back to the defaults, a TTL given back");
        }
        assertTrue(engineOf("rejected").contains("TTL toDateTime(intDiv(received_at_ms, 1000), 'UTC') + toIntervalDay(30)"));
    }

    @Test
    void readingsOlderThanTheTtlAreDroppedWithTheirPartsAndTheRestStays() throws Exception {
        long now = System.currentTimeMillis();
        long day = 86_400_000L;
        List<TelemetryEvent> events = List.of(old("ttl-1", now - 40 * day, 1), old("ttl-1", now - 40 * day + 1_000, 2),
                old("ttl-1", now - 20 * day, 3), old("ttl-1", now - 60_000, 4));
        String seqs = "SELECT groupArray(seq) FROM (SELECT seq FROM sluice.telemetry FINAL WHERE device_id = 'ttl-1' ORDER BY seq)";
        clickHouse.text("SYSTEM STOP TTL MERGES sluice.telemetry"); // or the server might drop them before they are seen
        try (TelemetryWriter writer = new TelemetryWriter(engine.endpoint())) {
            for (TelemetryEvent event : events) {
                writer.write(List.of(event)); // each day in its own part, as days apart arrive
            }
            assertEquals("[1,2,3,4]", clickHouse.text(seqs).strip(), "written, 40 days old included");
        } finally {
            clickHouse.text("SYSTEM START TTL MERGES sluice.telemetry");
        }
        clickHouse.text("OPTIMIZE TABLE sluice.telemetry FINAL");
        Await.until("the parts past the 30-day TTL dropped", Duration.ofSeconds(30),
                () -> clickHouse.text(seqs).strip().equals("[3,4]"));
        assertEquals(FLEET.readings(), clickHouse.number("SELECT count() FROM sluice.telemetry FINAL" + FLEET_ONLY));
    }

    private static TelemetryEvent old(String device, long tsMs, long seq) {
        return TelemetryEvent.newBuilder().setDeviceId(device).setTsMs(tsMs).setSeq(seq).setReceivedAtMs(tsMs + 30)
                .setMetrics(Map.of("temperature", 20.5)).build();
    }

    private static PartitionRetention retention(int telemetryDays, int rejectedDays) {
        return new PartitionRetention(clickHouse, List.of(new PartitionRetention.Rule("telemetry", telemetryDays),
                new PartitionRetention.Rule("rejected", rejectedDays)), new SimpleMeterRegistry(), Dialect.CURRENT);
    }

    private static String engineOf(String table) throws Exception {
        return clickHouse.rows("SELECT engine_full FROM system.tables WHERE database = 'sluice' AND name = '" + table + "'").get(0)[0]
                .replace("\\'", "'");
    }

    private static List<String> lines(String sql) throws Exception {
        return clickHouse.rows(sql).stream().map(row -> {
            String[] fields = new String[row.length];
            for (int i = 0; i < row.length; i++) {
                fields[i] = ClickHouseQueries.unescape(row[i]);
            }
            return String.join("\t", fields);
        }).toList();
    }

    private static double d(String text) {
        return Double.parseDouble(text);
    }

    /** Fields 5 to 7 (doubles, printed by ClickHouse in the shortest form that reads back exactly) as Java prints them. */
    private static String doublesAsJava(String line) {
        String[] row = line.split("\t", -1);
        for (int i = 5; i <= 7; i++) {
            row[i] = Double.toString(Double.parseDouble(row[i]));
        }
        return String.join("\t", row);
    }

    private static <T> List<T> concat(List<T> first, List<T> second) {
        List<T> both = new ArrayList<>(first);
        both.addAll(second);
        return both;
    }
}
