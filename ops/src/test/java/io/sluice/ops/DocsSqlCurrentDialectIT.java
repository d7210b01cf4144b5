package io.sluice.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

import io.sluice.clickhouse.ChdbEngine;
import io.sluice.clickhouse.ClickHouseException;
import io.sluice.clickhouse.ClickHouseQueries;
import io.sluice.schemas.avro.TelemetryEvent;
import io.sluice.schemas.clickhouse.ClickHouseMigrations.Dialect;
import io.sluice.sink.ClickHouseMigrator;
import io.sluice.sink.AnomalyWriter;
import io.sluice.sink.RejectedWriter;
import io.sluice.sink.RollupWriter;
import io.sluice.sink.SessionWriter;
import io.sluice.sink.TelemetryWriter;
import io.sluice.testing.FleetSample;

/**
 * The SQL of the README and docs/ on the current dialect (ClickHouse 26.7, chdb), where {@link DocsExamplesIT} runs it on
 * the native stack's 18.16: every statement of every {@code sql} block, and every query a shell example hands to
 * {@code ./sluice query}, curl or clickhouse-client, runs without error on the current tables holding a small fleet's
 * realistic data (written by the sink's writers, retransmissions included); the main telemetry queries of
 * docs/querying.md answer what was written.
 */
class DocsSqlCurrentDialectIT {

    private static final Path ROOT = Path.of(System.getProperty("sluice.root", "..")).toAbsolutePath().normalize();
    private static final DateTimeFormatter MILLIS = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS").withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter MINUTE = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneOffset.UTC);
    /** Devices dev-1 to dev-3, as the docs' examples name them. */
    private static final FleetSample FLEET = FleetSample.endingNow("dev", 3, 8);
    /** A query in a shell example: quoted, starting with SELECT. */
    private static final Pattern SHELL_QUERY = Pattern.compile("\"(SELECT [^\"]+)\"|'(SELECT [^']+)'");

    private static ChdbEngine engine;
    private static ClickHouseQueries clickHouse;

    @BeforeAll
    static void start(@TempDir Path dir) throws Exception {
        engine = ChdbEngine.start(dir.resolve("chdb"));
        clickHouse = new ClickHouseQueries(engine.endpoint());
        assertEquals(Dialect.CURRENT, ClickHouseMigrator.run(clickHouse).dialect());
        try (TelemetryWriter telemetry = new TelemetryWriter(engine.endpoint())) {
            List<TelemetryEvent> events = FLEET.events();
            for (int i = 0; i < events.size(); i += 500) {
                telemetry.write(events.subList(i, Math.min(events.size(), i + 500)));
            }
            telemetry.write(FLEET.retransmissions());
        }
        try (RollupWriter minutes = new RollupWriter(engine.endpoint(), "telemetry_1m");
             RollupWriter hours = new RollupWriter(engine.endpoint(), "telemetry_1h");
             AnomalyWriter anomalies = new AnomalyWriter(engine.endpoint());
             SessionWriter sessions = new SessionWriter(engine.endpoint());
             RejectedWriter rejected = new RejectedWriter(engine.endpoint())) {
            minutes.write(FLEET.rollups(60_000));
            hours.write(FLEET.rollups(3_600_000));
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

    /**
     * Every statement of the docs' SQL, where it is: from sql blocks (but those marked not run), and the queries shell
     * examples send, even those marked not run (such as docs/docker.md's, for a Docker engine): the query is what a
     * current ClickHouse answers there, and this is where it runs on one.
     */
    static Map<String, List<String>> documentedSql() throws Exception {
        Map<String, List<String>> sql = new TreeMap<>();
        for (MarkdownPage page : MarkdownPage.documentation(ROOT)) {
            for (MarkdownPage.Block block : page.blocks()) {
                if (block.info().equals("sql") && block.marker("not run").isEmpty()) {
                    sql.put(block.where() + " (sql)", DocsExamplesIT.statements(block.text()));
                } else if (Stream.of("bash", "sh", "shell").anyMatch(block.info()::equals)) {
                    List<String> queries = new ArrayList<>();
                    Matcher query = SHELL_QUERY.matcher(block.text());
                    while (query.find()) {
                        queries.add(query.group(1) != null ? query.group(1) : query.group(2));
                    }
                    if (!queries.isEmpty()) {
                        sql.put(block.where() + " (a query in a shell example)", queries);
                    }
                }
            }
        }
        return sql;
    }

    @TestFactory
    Stream<DynamicTest> everyStatementOfTheDocsRunsOnTheCurrentTables() throws Exception {
        Map<String, List<String>> sql = documentedSql();
        assertTrue(sql.values().stream().mapToInt(List::size).sum() >= 15, "the docs' SQL was found: " + sql);
        return sql.entrySet().stream().map(block -> DynamicTest.dynamicTest(block.getKey(), () -> {
            for (String statement : block.getValue()) {
                try {
                    clickHouse.text(statement);
                } catch (ClickHouseException e) {
                    fail(block.getKey() + ": ClickHouse 26.7 refused, on the current tables\n" + statement + "\n" + e.getMessage());
                }
            }
        }));
    }

    /** The statement of docs/querying.md that starts with {@code start}. */
    private static String querying(String start) throws Exception {
        return documentedSql().entrySet().stream().filter(block -> block.getKey().startsWith("docs/querying.md:"))
                .flatMap(block -> block.getValue().stream()).filter(statement -> statement.startsWith(start)).findFirst()
                .orElseThrow(() -> new AssertionError("docs/querying.md has no statement starting with: " + start));
    }

    private static List<String> lines(String sql) throws Exception {
        return clickHouse.rows(sql).stream().map(row -> String.join(" ", row)).toList();
    }

    @Test
    void readingsPerMetricCountEachReadingOnce() throws Exception {
        List<String> perMetric = lines(querying("SELECT metric, count() FROM sluice.telemetry FINAL GROUP BY metric"));
        assertEquals(FleetSample.METRICS.stream().map(metric -> metric + " " + FLEET.seconds() * 3).sorted().toList(),
                perMetric.stream().sorted().toList(), "retransmissions counted once");
    }

    @Test
    void theLastValueOfEachDevicesTemperatureIsItsLastReading() throws Exception {
        List<String> expected = new ArrayList<>();
        for (int d = 0; d < 3; d++) {
            int last = FLEET.seconds() - 1;
            expected.add(FLEET.device(d) + " " + FleetSample.value("temperature", d, last) + " "
                    + MILLIS.format(Instant.ofEpochMilli(FLEET.tsMs(d, last))));
        }
        List<String> answered = clickHouse.rows(querying("SELECT device_id, argMax(value, ts_ms) AS last, max(ts) AS at")).stream()
                .map(row -> row[0] + " " + Double.parseDouble(row[1]) + " " + row[2]).sorted().toList();
        assertEquals(expected, answered, "its value, and its time to the millisecond");
    }

    @Test
    void perMinuteAveragesOfOneDeviceAreThoseOfItsReadings() throws Exception {
        List<String[]> minutes = clickHouse.rows(querying("SELECT toStartOfMinute(ts) AS minute, avg(value), quantile(0.95)(value)"));
        assertEquals(FLEET.seconds() / 60, minutes.size());
        for (int m = 0; m < minutes.size(); m++) {
            String[] row = minutes.get(m);
            assertEquals(MINUTE.format(Instant.ofEpochMilli(FLEET.startMs() + m * 60_000L)), row[0], "in order, one row a minute");
            double[] values = new double[60];
            for (int s = 0; s < 60; s++) {
                values[s] = FleetSample.value("temperature", 0, m * 60 + s);
            }
            assertEquals(java.util.Arrays.stream(values).average().orElseThrow(), Double.parseDouble(row[1]), 1e-9, "minute " + row[0]);
            java.util.Arrays.sort(values);
            double p95 = Double.parseDouble(row[2]);
            assertTrue(p95 >= values[55] && p95 <= values[59], "p95 of minute " + row[0] + ": " + p95);
        }
    }

    @Test
    void hourlyFiguresFromTheMinuteRollupsAreExact() throws Exception {
        List<String[]> hours = clickHouse.rows(querying("SELECT toStartOfHour(window_start) AS hour, sum(count) AS readings"));
        long readings = 0;
        double weighted = 0;
        for (String[] hour : hours) {
            readings += Long.parseLong(hour[1]);
            weighted += Double.parseDouble(hour[2]) * Long.parseLong(hour[1]);
        }
        double sum = 0;
        for (int s = 0; s < FLEET.seconds(); s++) {
            sum += FleetSample.value("temperature", 0, s);
        }
        assertEquals(FLEET.seconds(), readings, "every reading of dev-1's temperature, once");
        assertEquals(sum, weighted, 1e-6, "the averages are sum / count");
    }

    @Test
    void refusalsAndConnectionsAreCountedOnce() throws Exception {
        List<String> refused = clickHouse.rows(querying("SELECT reason, count(), any(device_id), any(payload)")).stream()
                .map(row -> row[0] + " " + row[1]).sorted().toList();
        assertEquals(FLEET.deadLetters().stream().map(letter -> letter.getReason() + " 1").sorted().toList(), refused);
        List<String[]> connectivity = clickHouse.rows(querying("SELECT toStartOfMinute(ts) AS minute, countIf(event = 'CONNECTED')"));
        assertEquals(4, connectivity.stream().mapToLong(row -> Long.parseLong(row[1])).sum(), "three connections and a reconnect");
        assertEquals(1, connectivity.stream().mapToLong(row -> Long.parseLong(row[2])).sum(), "one lost (keep-alive timeout)");
    }
}
