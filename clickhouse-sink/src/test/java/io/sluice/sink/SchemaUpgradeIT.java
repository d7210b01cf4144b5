package io.sluice.sink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sluice.clickhouse.ChdbEngine;
import io.sluice.clickhouse.ClickHouseQueries;
import io.sluice.schemas.avro.TelemetryEvent;
import io.sluice.schemas.clickhouse.ClickHouseMigrations;
import io.sluice.schemas.clickhouse.ClickHouseMigrations.Dialect;
import io.sluice.schemas.clickhouse.ClickHouseMigrations.Migration;
import io.sluice.testing.Await;
import io.sluice.testing.FleetSample;

/**
 * {@link SchemaUpgrade} on a current ClickHouse (26.7, chdb) holding the portable tables an earlier server set up, full of
 * a fleet's data (retransmissions, a batch written twice, readings older than the current tables' default TTL): every
 * question asked of them has the same answer after the upgrade, on tables of the current dialect.
 */
class SchemaUpgradeIT {

    private static final FleetSample FLEET = FleetSample.endingNow("upg", 3, 5);
    private static final List<String> TABLES = List.of("telemetry", "rejected", "device_sessions", "telemetry_1m", "telemetry_1h",
            "anomalies");
    private static final long DAY = 86_400_000L;
    /** Readings 45 days old: kept by a portable sink whose retention.days.telemetry is 60, past the current default TTL of 30. */
    private static final long OLD_MS = System.currentTimeMillis() / 1000 * 1000 - 45 * DAY;

    private ChdbEngine engine;
    private ClickHouseQueries clickHouse;

    @AfterEach
    void stop() {
        if (engine != null) {
            engine.close();
        }
    }

    /** The tables and the history an earlier Sluice left on a server since upgraded, holding the fleet's data. */
    private void portableDatabase(Path dir) throws Exception {
        engine = ChdbEngine.start(dir.resolve("chdb"));
        clickHouse = new ClickHouseQueries(engine.endpoint());
        for (Migration migration : ClickHouseMigrations.all(Dialect.PORTABLE)) {
            clickHouse.text(migration.sql());
            if (migration.version() == 1) { // the database, then the history in it
                clickHouse.text(ClickHouseMigrations.CREATE_HISTORY_TABLE);
            }
            ClickHouseMigrator.record(clickHouse, migration, Dialect.PORTABLE);
        }
        assertEquals(new ClickHouseMigrator.Result(Dialect.PORTABLE, 0), ClickHouseMigrator.run(clickHouse), "a portable database");
        try (TelemetryWriter telemetry = new TelemetryWriter(engine.endpoint())) {
            List<TelemetryEvent> events = FLEET.events();
            for (int i = 0; i < events.size(); i += 300) {
                telemetry.write(events.subList(i, Math.min(events.size(), i + 300)));
            }
            telemetry.write(FLEET.retransmissions()); // rows stored twice until a merge
            telemetry.write(events.subList(0, 300)); // a batch written again after a sink crash
            List<TelemetryEvent> old = new ArrayList<>();
            for (int s = 0; s < 60; s++) {
                old.add(TelemetryEvent.newBuilder(FLEET.event(0, s)).setDeviceId("upg-old").setTsMs(OLD_MS + s * 1000L)
                        .setReceivedAtMs(OLD_MS + s * 1000L + 40).build());
            }
            telemetry.write(old);
        }
        try (RollupWriter minutes = new RollupWriter(engine.endpoint(), "telemetry_1m");
             RollupWriter hours = new RollupWriter(engine.endpoint(), "telemetry_1h");
             AnomalyWriter anomalies = new AnomalyWriter(engine.endpoint());
             SessionWriter sessions = new SessionWriter(engine.endpoint());
             RejectedWriter rejected = new RejectedWriter(engine.endpoint())) {
            minutes.write(FLEET.rollups(60_000));
            minutes.write(FLEET.rollups(60_000).subList(0, 5)); // windows written twice
            hours.write(FLEET.rollups(3_600_000));
            anomalies.write(FLEET.anomalies());
            anomalies.write(FLEET.anomalyRepeats());
            sessions.write(FLEET.sessions());
            rejected.write(FLEET.deadLetters());
        }
    }

    /** Questions asked of every table, answered in the same text by both dialects. */
    private Map<String, List<String>> answers(String suffix) throws Exception {
        Map<String, String> questions = new LinkedHashMap<>();
        for (String table : TABLES) {
            questions.put(table + " rows", "SELECT count() FROM sluice." + table + suffix + " FINAL");
        }
        questions.put("readings", "SELECT device_id, metric, count(), round(sum(value), 6), min(ts_ms), max(ts_ms), max(received_at_ms)"
                + " FROM sluice.telemetry" + suffix + " FINAL GROUP BY device_id, metric ORDER BY device_id, metric");
        questions.put("per minute", "SELECT toStartOfMinute(ts) AS minute, count(), round(avg(value), 6) FROM sluice.telemetry"
                + suffix + " FINAL WHERE metric = 'temperature' GROUP BY minute ORDER BY minute");
        for (String rollup : List.of("telemetry_1m", "telemetry_1h")) {
            questions.put(rollup, "SELECT device_id, metric, sum(count), round(sum(sum), 6), round(sum(avg), 6), min(min), max(max),"
                    + " min(window_start_ms) FROM sluice." + rollup + suffix + " FINAL GROUP BY device_id, metric ORDER BY device_id, metric");
        }
        questions.put("anomalies", "SELECT detector, severity, count(), sum(detected_at_ms), round(sum(score), 6) FROM sluice.anomalies"
                + suffix + " FINAL GROUP BY detector, severity ORDER BY detector, severity");
        questions.put("sessions", "SELECT event, reason, count(), sum(connected_ms), groupArraySorted(10)(address) FROM"
                + " sluice.device_sessions" + suffix + " FINAL GROUP BY event, reason ORDER BY event, reason");
        questions.put("refused", "SELECT source, reason, count(), sum(payload_size), groupArray(hex(payload)) FROM sluice.rejected"
                + suffix + " FINAL GROUP BY source, reason ORDER BY source, reason");
        Map<String, List<String>> answers = new LinkedHashMap<>();
        for (Map.Entry<String, String> question : questions.entrySet()) {
            answers.put(question.getKey(), lines(question.getValue()));
        }
        return answers;
    }

    @Test
    void everyTableIsCopiedIntoTheCurrentDialectWithTheSameAnswers(@TempDir Path dir) throws Exception {
        portableDatabase(dir);
        Map<String, List<String>> before = answers("");
        assertEquals(List.of(Long.toString(FLEET.readings() + 60 * 4)), before.get("telemetry rows"));
        assertTrue(clickHouse.number("SELECT count() FROM sluice.telemetry") > FLEET.readings() + 240, "duplicates stored");
        List<String> progress = new ArrayList<>();

        List<SchemaUpgrade.Copied> copied = SchemaUpgrade.toCurrent(clickHouse, progress::add);

        List<SchemaUpgrade.Copied> expected = new ArrayList<>();
        for (String table : TABLES) {
            expected.add(new SchemaUpgrade.Copied(table, Long.parseLong(before.get(table + " rows").get(0))));
        }
        assertEquals(expected, copied, String.join("\n", progress));
        assertSameAnswers(before, answers(""), "the current tables");
        assertSameAnswers(before, answers("__portable"), "the old tables, kept as they were");
        assertCurrentTables();
        assertEquals(List.of("LowCardinality(String)"), lines("SELECT type FROM system.columns WHERE database = 'sluice'"
                + " AND table = 'telemetry' AND name = 'device_id'"), "the current telemetry table");
        assertEquals(List.of("String"), lines("SELECT type FROM system.columns WHERE database = 'sluice'"
                + " AND table = 'telemetry__portable' AND name = 'device_id'"), "the portable one beside it");

        assertEquals(new ClickHouseMigrator.Result(Dialect.CURRENT, 0), ClickHouseMigrator.run(clickHouse), "a sink starting now");
        progress.clear();
        assertEquals(List.of(), SchemaUpgrade.toCurrent(clickHouse, progress::add));
        assertEquals(List.of("the tables are current already; nothing to do"), progress);

        // Nothing lost to the current tables' default TTL before a sink sets each table's retention (here 60 days).
        clickHouse.text("OPTIMIZE TABLE sluice.telemetry FINAL");
        assertEquals(List.of("240"), lines("SELECT count() FROM sluice.telemetry FINAL WHERE device_id = 'upg-old'"));
        PartitionRetention retention = new PartitionRetention(clickHouse, List.of(new PartitionRetention.Rule("telemetry", 60),
                new PartitionRetention.Rule("anomalies", 365)), new SimpleMeterRegistry(), Dialect.CURRENT);
        assertEquals(2, retention.runOnce(LocalDate.now(ZoneOffset.UTC)));
        clickHouse.text("OPTIMIZE TABLE sluice.telemetry FINAL");
        assertSameAnswers(before, answers(""), "a 60-day TTL keeping the 45-day-old readings");
        new PartitionRetention(clickHouse, List.of(new PartitionRetention.Rule("telemetry", 30)), new SimpleMeterRegistry(),
                Dialect.CURRENT).runOnce(LocalDate.now(ZoneOffset.UTC));
        clickHouse.text("OPTIMIZE TABLE sluice.telemetry FINAL");
        Await.until("the readings past a 30-day TTL dropped", Duration.ofSeconds(30),
                () -> clickHouse.number("SELECT count() FROM sluice.telemetry WHERE device_id = 'upg-old'") == 0);
    }

    @Test
    void anInterruptedUpgradeGoesOnWhereItStopped(@TempDir Path dir) throws Exception {
        portableDatabase(dir);
        Map<String, List<String>> before = answers("");
        List<String> progress = new ArrayList<>();
        RuntimeException interrupted = new RuntimeException("interrupted");
        assertThrows(RuntimeException.class, () -> SchemaUpgrade.toCurrent(clickHouse, line -> {
            progress.add(line);
            if (line.startsWith("sluice.rejected:")) {
                throw interrupted; // stopped right after the second table was swapped
            }
        }));
        assertEquals(2, progress.size(), String.join("\n", progress));
        assertEquals(List.of("portable"), lines("SELECT DISTINCT dialect FROM sluice.schema_history FINAL"),
                "the history still says portable");
        progress.clear();
        // And a copy cut short: the next table's new one half-filled when the upgrade stopped.
        clickHouse.text("CREATE TABLE sluice.device_sessions__current AS sluice.device_sessions");
        clickHouse.text("INSERT INTO sluice.device_sessions__current SELECT * FROM sluice.device_sessions LIMIT 3");

        List<SchemaUpgrade.Copied> copied = SchemaUpgrade.toCurrent(clickHouse, progress::add);

        assertEquals(List.of("device_sessions", "telemetry_1m", "telemetry_1h", "anomalies"),
                copied.stream().map(SchemaUpgrade.Copied::table).toList());
        assertEquals(List.of("sluice.telemetry was upgraded already", "sluice.rejected was upgraded already"), progress.subList(0, 2));
        assertSameAnswers(before, answers(""), "the current tables");
        assertSameAnswers(before, answers("__portable"), "the old tables");
        assertCurrentTables();
        assertEquals(new ClickHouseMigrator.Result(Dialect.CURRENT, 0), ClickHouseMigrator.run(clickHouse));
        assertEquals(0, clickHouse.number("SELECT count() FROM system.tables WHERE database = 'sluice' AND name LIKE '%\\_\\_current'"),
                "no copy left behind");
    }

    /** Every table of the current dialect's types, and the history all current with the current checksums. */
    private void assertCurrentTables() throws Exception {
        for (Migration migration : ClickHouseMigrations.all(Dialect.CURRENT)) {
            if (migration.version() == 1) {
                continue;
            }
            String table = migration.name();
            String shape = migration.sql().replace("CREATE TABLE IF NOT EXISTS sluice." + table + "\n",
                    "CREATE TABLE default." + table + "_shape\n");
            clickHouse.text(shape);
            String columns = "SELECT name, type, default_kind, default_expression, compression_codec FROM system.columns WHERE ";
            assertEquals(lines(columns + "database = 'default' AND table = '" + table + "_shape' ORDER BY position"),
                    lines(columns + "database = 'sluice' AND table = '" + table + "' ORDER BY position"), table + ": the current columns");
            assertEquals(lines("SELECT sorting_key, partition_key FROM system.tables WHERE database = 'default' AND name = '"
                    + table + "_shape'"), lines("SELECT sorting_key, partition_key FROM system.tables WHERE database = 'sluice'"
                    + " AND name = '" + table + "'"), table + ": the current key and partitions");
            clickHouse.text("DROP TABLE default." + table + "_shape");
        }
        assertEquals(ClickHouseMigrations.all(Dialect.CURRENT).stream().map(m -> m.version() + "\tcurrent\t" + m.name() + "\t"
                + m.checksum()).toList(), lines("SELECT version, dialect, name, checksum FROM sluice.schema_history FINAL ORDER BY version"));
    }

    /** The questions answered differently, each with both answers (rather than every answer of both). */
    private static void assertSameAnswers(Map<String, List<String>> expected, Map<String, List<String>> actual, String where) {
        List<String> differences = new ArrayList<>();
        expected.forEach((question, answer) -> {
            if (!answer.equals(actual.get(question))) {
                differences.add(question + ":\n  before " + answer + "\n  after  " + actual.get(question));
            }
        });
        assertEquals(List.of(), differences, "the same answers from " + where);
    }

    private List<String> lines(String sql) throws Exception {
        return clickHouse.rows(sql).stream().map(row -> String.join("\t", row)).toList();
    }
}
