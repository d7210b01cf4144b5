package io.sluice.clickhouse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import com.clickhouse.client.api.Client;
import com.clickhouse.client.api.insert.InsertResponse;
import com.clickhouse.client.api.insert.InsertSettings;
import com.clickhouse.client.api.query.GenericRecord;
import com.clickhouse.data.ClickHouseFormat;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * chdb (ClickHouse 26.7 in process) behind chdb-http.mjs, through Sluice's own {@link ClickHouseQueries}: the engine
 * must answer like a ClickHouse server's HTTP interface, so that Sluice's schema and queries can be run on it.
 */
class ChdbEngineIT {

    private static final String TABLE = "sluice_test.readings";
    private static final String COLUMNS = "(device_id, metric, value, ts_ms)";

    private static ChdbEngine engine;
    private static ClickHouseQueries queries;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void start(@TempDir Path dir) throws Exception {
        long started = System.nanoTime();
        engine = ChdbEngine.start(dir.resolve("chdb"));
        System.out.printf("chdb-http answered /ping %d ms after start%n", (System.nanoTime() - started) / 1_000_000);
        queries = new ClickHouseQueries(engine.endpoint());
        queries.text("CREATE DATABASE IF NOT EXISTS sluice_test");
        queries.text("CREATE TABLE " + TABLE + " (device_id LowCardinality(String), metric String, value Float64, ts_ms UInt64,"
                + " ts DateTime64(3, 'UTC') DEFAULT fromUnixTimestamp64Milli(toInt64(ts_ms)))"
                + " ENGINE = MergeTree ORDER BY (device_id, metric, ts_ms)");
    }

    @AfterAll
    static void stop() {
        if (engine != null) {
            engine.close();
        }
    }

    @Test
    void isACurrentClickHouse() throws Exception {
        assertTrue(engine.version().startsWith("26."), engine.version());
        assertEquals(List.of("UTC"), queries.rows("SELECT timezone()").stream().map(row -> row[0]).toList());
    }

    @Test
    void mergeTreeRowsComeBackExactly() throws Exception {
        queries.text("INSERT INTO " + TABLE + " " + COLUMNS + " VALUES ('sql-1', 'temperature', 21.5, 1700000000123),"
                + " ('sql-1', 'humidity', 40.25, 1700000000123), ('sql-2', 'temperature', -3.75, 1700000001000)");

        assertRows("sql-%", List.of(
                "sql-1\thumidity\t40.25\t1700000000123\t2023-11-14 22:13:20.123",
                "sql-1\ttemperature\t21.5\t1700000000123\t2023-11-14 22:13:20.123",
                "sql-2\ttemperature\t-3.75\t1700000001000\t2023-11-14 22:13:21.000"));
        assertEquals(3, queries.number("SELECT count() FROM " + TABLE + " WHERE device_id LIKE 'sql-%'"));
    }

    @Test
    void errorsCarryClickHouseCodes() {
        ClickHouseException missingTable = assertThrows(ClickHouseException.class, () -> queries.text("SELECT * FROM sluice_test.nowhere"));
        assertEquals(60, missingTable.code(), missingTable.getMessage()); // UNKNOWN_TABLE
        ClickHouseException syntax = assertThrows(ClickHouseException.class, () -> queries.rows("SELEC 1"));
        assertEquals(62, syntax.code(), syntax.getMessage()); // SYNTAX_ERROR
        assertTrue(syntax.httpStatus() != 200);
    }

    @Test
    void tabSeparatedBodyIsInserted() throws Exception {
        String body = "tsv-1\ttemperature\t19.125\t1700000000000\ntsv-1\tbattery\t99.5\t1700000001000\n";

        HttpResponse<String> response = insert("TabSeparated", body.getBytes(StandardCharsets.UTF_8));

        assertEquals(200, response.statusCode(), response.body());
        assertTrue(response.headers().firstValue("X-ClickHouse-Summary").orElseThrow().contains("\"written_rows\":\"2\""),
                response.headers().map().toString());
        assertRows("tsv-%", List.of(
                "tsv-1\tbattery\t99.5\t1700000001000\t2023-11-14 22:13:21.000",
                "tsv-1\ttemperature\t19.125\t1700000000000\t2023-11-14 22:13:20.000"));
    }

    @Test
    void rowBinaryBodyIsInserted() throws Exception {
        String longDevice = "rb-" + "x".repeat(200); // a length over 127 takes two varint bytes
        RowBinary rows = new RowBinary()
                .row("rb-newline", "pressure", 1013.25, 1700000000999L) // 10 bytes: the body starts with a line feed
                .row("rb-température", "humidity", -0.5, 10L)
                .row(longDevice, "battery", 99.875, 0L)
                .row("rb-\t\n", "temperature", Double.MIN_VALUE, Long.parseUnsignedLong("18446744073709551615"));

        HttpResponse<String> response = insert("RowBinary", rows.bytes());

        assertEquals(200, response.statusCode(), response.body());
        List<String> stored = queries.rows("SELECT device_id, metric, value, ts_ms, hex(device_id) FROM " + TABLE
                + " WHERE device_id LIKE 'rb-%' ORDER BY device_id").stream().map(row -> String.join("|", row)).toList();
        assertEquals(List.of(
                "rb-\\t\\n|temperature|5e-324|18446744073709551615|72622D090A",
                "rb-newline|pressure|1013.25|1700000000999|" + hex("rb-newline"),
                "rb-température|humidity|-0.5|10|" + hex("rb-température"),
                longDevice + "|battery|99.875|0|" + hex(longDevice)), stored);
    }

    @Test
    void clickHouseJavaInsertsAndReads() throws Exception {
        byte[] rows = new RowBinary().row("java-1", "temperature", 22.75, 1700000002000L).bytes();
        try (Client client = engine.endpoint().client()) { // as TelemetryWriter writes
            try (InsertResponse response = client.insert(TABLE, List.of("device_id", "metric", "value", "ts_ms"),
                    new ByteArrayInputStream(rows), ClickHouseFormat.RowBinary, new InsertSettings()).get(60, TimeUnit.SECONDS)) {
                assertEquals(1, response.getWrittenRows());
            }
            List<GenericRecord> read = client.queryAll("SELECT device_id, value FROM " + TABLE + " WHERE device_id = 'java-1'");
            assertEquals(List.of("java-1 22.75"), read.stream().map(r -> r.getString("device_id") + " " + r.getDouble("value")).toList());
        }
    }

    @Test
    void dataOutlivesARestart(@TempDir Path dir) throws Exception {
        Path data = dir.resolve("chdb");
        try (ChdbEngine first = ChdbEngine.start(data)) {
            ClickHouseQueries before = new ClickHouseQueries(first.endpoint());
            before.text("CREATE TABLE kept (n UInt32) ENGINE = MergeTree ORDER BY n");
            before.text("INSERT INTO kept SELECT number FROM numbers(1000)");
        }
        try (ChdbEngine second = ChdbEngine.start(data)) {
            assertEquals(List.of("1000", "499500"), List.of(new ClickHouseQueries(second.endpoint())
                    .rows("SELECT count(), sum(n) FROM kept").get(0)));
        }
    }

    private void assertRows(String devices, List<String> expected) throws IOException, InterruptedException {
        List<String> rows = queries.rows("SELECT device_id, metric, value, ts_ms, ts FROM " + TABLE + " WHERE device_id LIKE '"
                + devices + "' ORDER BY device_id, metric").stream().map(row -> String.join("\t", row)).toList();
        assertEquals(expected, rows);
    }

    /** An insert as clickhouse-java sends one: the statement in the URL, the rows in the body. */
    private HttpResponse<String> insert(String format, byte[] body) throws IOException, InterruptedException {
        String sql = "INSERT INTO " + TABLE + " " + COLUMNS + " FORMAT " + format;
        HttpRequest request = HttpRequest.newBuilder(URI.create(engine.url() + "/?query=" + URLEncoder.encode(sql, StandardCharsets.UTF_8)))
                .timeout(Duration.ofSeconds(60))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    private static String hex(String text) {
        return java.util.HexFormat.of().withUpperCase().formatHex(text.getBytes(StandardCharsets.UTF_8));
    }

    /** RowBinary rows of (device_id String, metric String, value Float64, ts_ms UInt64). */
    private static final class RowBinary {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        RowBinary row(String device, String metric, double value, long tsMs) {
            string(device);
            string(metric);
            out.writeBytes(ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putDouble(value).putLong(tsMs).array());
            return this;
        }

        private void string(String text) {
            byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
            for (int length = bytes.length; ; length >>>= 7) { // LEB128
                if (length < 0x80) {
                    out.write(length);
                    break;
                }
                out.write(length & 0x7F | 0x80);
            }
            out.writeBytes(bytes);
        }

        byte[] bytes() {
            return out.toByteArray();
        }
    }
}
