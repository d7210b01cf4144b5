package io.sluice.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.stream.DoubleStream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.sluice.clickhouse.ChdbEngine;
import io.sluice.clickhouse.ClickHouseEndpoint;
import io.sluice.schemas.avro.TelemetryEvent;
import io.sluice.schemas.clickhouse.ClickHouseMigrations.Dialect;
import io.sluice.sink.ClickHouseMigrator;
import io.sluice.sink.AnomalyWriter;
import io.sluice.sink.RejectedWriter;
import io.sluice.sink.SessionWriter;
import io.sluice.sink.TelemetryWriter;
import io.sluice.testing.FleetSample;

/**
 * {@code sluice report} and {@code sluice query} on the current dialect (ClickHouse 26.7, chdb): a small fleet's data,
 * written by the sink's writers with its retransmissions, and every section of every report checked against it.
 */
class ReportsCurrentDialectIT {

    private static final DateTimeFormatter SECONDS = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter MILLIS = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS").withZone(ZoneOffset.UTC);
    private static final FleetSample FLEET = FleetSample.endingNow("rep", 3, 6);
    /** One message of the first device three hours back: outside the reports' default hour, inside --hours 4. */
    private static final long EARLIER_MS = FLEET.startMs() - 3 * 3_600_000L + 123;

    private static ChdbEngine engine;

    @BeforeAll
    static void start(@TempDir Path dir) throws Exception {
        engine = ChdbEngine.start(dir.resolve("chdb"));
        ClickHouseEndpoint endpoint = engine.endpoint();
        assertEquals(Dialect.CURRENT, ClickHouseMigrator.run(new io.sluice.clickhouse.ClickHouseQueries(endpoint)).dialect());
        try (TelemetryWriter telemetry = new TelemetryWriter(endpoint)) {
            List<TelemetryEvent> events = FLEET.events();
            for (int i = 0; i < events.size(); i += 400) {
                telemetry.write(events.subList(i, Math.min(events.size(), i + 400)));
            }
            telemetry.write(FLEET.retransmissions());
            telemetry.write(List.of(TelemetryEvent.newBuilder(FLEET.event(0, 0)).setTsMs(EARLIER_MS).setReceivedAtMs(EARLIER_MS + 40)
                    .setSeq(null).build()));
        }
        try (AnomalyWriter anomalies = new AnomalyWriter(endpoint);
             SessionWriter sessions = new SessionWriter(endpoint);
             RejectedWriter rejected = new RejectedWriter(endpoint)) {
            anomalies.write(FLEET.anomalies());
            anomalies.write(FLEET.anomalyRepeats());
            sessions.write(FLEET.sessions());
            rejected.write(FLEET.deadLetters());
        }
    }

    @AfterAll
    static void stop() {
        if (engine != null) {
            engine.close();
        }
    }

    private static List<JsonNode> report(String name, String... more) throws Exception {
        List<String> args = new ArrayList<>(List.of("report", name, "--json", "--clickhouse", engine.url()));
        args.addAll(List.of(more));
        CliRun run = CliRun.of(args.toArray(String[]::new));
        assertEquals(0, run.status(), run.err());
        JsonNode report = new ObjectMapper().readTree(run.out());
        assertEquals(name, report.get("report").asText());
        List<JsonNode> sections = new ArrayList<>();
        report.get("sections").forEach(section -> sections.add(section.get("rows")));
        assertEquals(ReportCommand.sections(ReportCommand.Name.valueOf(name)).size(), sections.size());
        return sections;
    }

    private static List<String> rows(JsonNode rows, String... fields) {
        List<String> lines = new ArrayList<>();
        rows.forEach(row -> {
            List<String> values = new ArrayList<>();
            for (String field : fields) {
                values.add(row.get(field).asText());
            }
            lines.add(String.join(" ", values));
        });
        return lines;
    }

    @Test
    void theIngestReportCountsEveryReadingOnceAndEveryRefusal() throws Exception {
        List<JsonNode> ingest = report("ingest");
        List<String> minutes = new ArrayList<>();
        for (long minute = FLEET.endMs() - 60_000; minute >= FLEET.startMs(); minute -= 60_000) {
            minutes.add(SECONDS.format(Instant.ofEpochMilli(minute)) + " 720 3 12");
        }
        assertEquals(minutes, rows(ingest.get(0), "minute", "readings", "devices", "per_second"), "per minute, newest first");

        JsonNode perMetric = ingest.get(1);
        assertEquals(4, perMetric.size());
        for (JsonNode metric : perMetric) {
            String name = metric.get("metric").asText();
            double[] values = new double[FLEET.seconds() * 3];
            for (int i = 0; i < values.length; i++) {
                values[i] = FleetSample.value(name, i % 3, i / 3);
            }
            assertEquals(FLEET.seconds() * 3L, metric.get("readings").asLong(), name);
            assertEquals(3, metric.get("devices").asInt(), name);
            assertEquals(DoubleStream.of(values).min().orElseThrow(), metric.get("min").asDouble(), 0.0011, name);
            assertEquals(DoubleStream.of(values).average().orElseThrow(), metric.get("avg").asDouble(), 0.0011, name);
            assertEquals(DoubleStream.of(values).max().orElseThrow(), metric.get("max").asDouble(), 0.0011, name);
        }

        assertEquals(List.of("mqtt-bridge BAD_METRIC_VALUE 1 1", "mqtt-bridge NOT_JSON 1 1", "mqtt-bridge TIMESTAMP_OUT_OF_RANGE 1 1",
                "stream-processor UNDECODABLE_RECORD 1 1"), rows(ingest.get(2), "source", "reason", "refused", "devices").stream()
                .sorted().toList());
        FLEET.deadLetters().forEach(letter -> assertTrue(ingest.get(2).findValuesAsText("example").contains(letter.getDetail()),
                letter.getDetail()));

        JsonNode delay = ingest.get(3).get(0);
        assertEquals(FLEET.readings(), delay.get("readings").asLong());
        long p50 = delay.get("device_to_bridge_p50_ms").asLong();
        assertTrue(p50 >= 25 && p50 <= 64, "the bridges received each reading 25 to 64 ms after its time: " + p50);
        long newest = FLEET.tsMs(2, FLEET.seconds() - 1);
        for (int d = 0; d < 3; d++) {
            newest = Math.max(newest, FLEET.tsMs(d, FLEET.seconds() - 1));
        }
        assertEquals(MILLIS.format(Instant.ofEpochMilli(newest)), delay.get("newest_reading").asText(), "to the millisecond");

        List<JsonNode> fourHours = report("ingest", "--hours", "4");
        assertEquals(FLEET.seconds() * 3L + 1, fourHours.get(1).get(0).get("readings").asLong(), "the earlier message counted");
    }

    @Test
    void theDevicesReportHasEachDevicesReadingsAndConnections() throws Exception {
        List<JsonNode> devices = report("devices");
        TreeMap<Long, String> byLastReading = new TreeMap<>();
        for (int d = 0; d < 3; d++) {
            long last = FLEET.tsMs(d, FLEET.seconds() - 1);
            byLastReading.put(last, FLEET.device(d) + " " + FLEET.seconds() * 4 + " 4 " + MILLIS.format(Instant.ofEpochMilli(last))
                    + " " + (d == 0 ? "2 1" : "1 0") + " 0");
        }
        List<String> expected = new ArrayList<>(byLastReading.values());
        assertEquals(expected, rows(devices.get(0), "device", "readings", "metrics", "last_reading", "connects", "lost", "refused"),
                "quietest first; the first device lost its connection once and came back");
        assertEquals(List.of("CONNECTED NORMAL 4 3", "DISCONNECTED KEEP_ALIVE_TIMEOUT 1 1", "DISCONNECTED NORMAL 1 1",
                        "REFUSED BAD_CREDENTIALS 2 1"),
                rows(devices.get(1), "event", "reason", "events", "devices").stream().sorted().toList());
    }

    @Test
    void theAnomaliesReportCountsEachAnomalyOnce() throws Exception {
        List<JsonNode> anomalies = report("anomalies");
        assertEquals(List.of("STUCK INFO 3 3 1", "ZSCORE CRITICAL 1 1 1", "ZSCORE WARNING 2 2 1"),
                rows(anomalies.get(0), "detector", "severity", "anomalies", "devices", "metrics").stream().sorted().toList());
        assertEquals(List.of("rep-1 2 1", "rep-2 2 0", "rep-3 2 0"),
                rows(anomalies.get(1), "device", "anomalies", "critical").stream().sorted().toList());
        anomalies.get(1).forEach(row -> assertEquals(List.of("STUCK", "ZSCORE"), sorted(row.get("detectors"))));
        JsonNode latest = anomalies.get(2);
        assertEquals(6, latest.size());
        List<String> times = rows(latest, "ts");
        assertEquals(times.stream().sorted(java.util.Comparator.reverseOrder()).toList(), times, "newest first");
        long newest = Math.max(FLEET.tsMs(0, FLEET.seconds() - 20), Math.max(FLEET.tsMs(1, FLEET.seconds() - 20),
                FLEET.tsMs(2, FLEET.seconds() - 20)));
        assertEquals(MILLIS.format(Instant.ofEpochMilli(newest)), times.get(0), "to the millisecond");
    }

    private static List<String> sorted(JsonNode array) {
        List<String> values = new ArrayList<>();
        array.forEach(value -> values.add(value.asText()));
        return values.stream().sorted().toList();
    }

    @Test
    void reportsPrintTablesToo() {
        for (ReportCommand.Name name : ReportCommand.Name.values()) {
            CliRun run = CliRun.of("report", name.name(), "--clickhouse", engine.url());
            assertEquals(0, run.status(), run.err());
            assertTrue(!run.out().contains("(none)"), name + ": every section has rows\n" + run.out());
        }
    }

    @Test
    void aQueryAnswersAsATableAndAsJson() throws Exception {
        String sql = "SELECT metric, count() AS readings FROM sluice.telemetry FINAL GROUP BY metric ORDER BY metric";
        CliRun json = CliRun.of("query", sql, "--format", "json", "--clickhouse", engine.url());
        assertEquals(0, json.status(), json.err());
        List<String> perMetric = new ArrayList<>();
        new ObjectMapper().readTree(json.out()).get("data").forEach(row -> perMetric.add(row.get("metric").asText() + " "
                + row.get("readings").asLong()));
        long each = FLEET.seconds() * 3L + 1;
        assertEquals(List.of("battery " + each, "humidity " + each, "pressure " + each, "temperature " + each), perMetric);
        CliRun table = CliRun.of("query", sql, "--clickhouse", engine.url());
        assertEquals(0, table.status(), table.err());
        assertTrue(table.out().contains("temperature") && table.out().contains("│") && table.out().contains(Long.toString(each)),
                table.out());
    }
}
