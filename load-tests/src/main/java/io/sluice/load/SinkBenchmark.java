package io.sluice.load;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import io.sluice.schemas.avro.TelemetryEvent;
import io.sluice.schemas.kafka.Topics;
import io.sluice.sink.ClickHouseEndpoint;
import io.sluice.sink.ClickHouseQueries;
import io.sluice.sink.JdbcTelemetryWriter;

/**
 * How fast the sink's insert path writes telemetry into ClickHouse, beside the practical ceiling
 * measured in the same run on the same server: {@code clickhouse-client ... FORMAT TSV} inserting the
 * same rows. The sink's path is what it does per batch: decode the Kafka records (Avro), bind the rows
 * and insert them through clickhouse-jdbc. Each side writes into its own copy of
 * {@code sluice.telemetry} in database {@code sluice_bench}, and its row count is checked afterwards.
 */
public final class SinkBenchmark {

    private static final String[] METRICS = DeviceSignal.METRICS;

    private SinkBenchmark() {
    }

    /** The figures of one side. */
    public record Side(String name, long rows, double seconds, long rowsCounted) {
        double rowsPerSecond() {
            return rows / seconds;
        }
    }

    public static void run(String clickHouseUrl, int tcpPort, int events, int batchRows, Path jsonOut) throws Exception {
        ClickHouseEndpoint endpoint = new ClickHouseEndpoint(clickHouseUrl, "default", "");
        ClickHouseQueries clickHouse = new ClickHouseQueries(endpoint);
        if (!clickHouse.ping()) {
            throw new IllegalStateException("ClickHouse does not answer at " + clickHouseUrl + "; start it with ./sluice up");
        }
        if (clickHouse.number("EXISTS TABLE sluice.telemetry") != 1) {
            throw new IllegalStateException("sluice.telemetry does not exist yet; start the stack once with ./sluice up");
        }
        clickHouse.text("CREATE DATABASE IF NOT EXISTS sluice_bench");
        for (String table : List.of("sluice_bench.telemetry", "sluice_bench.telemetry_tsv")) {
            clickHouse.text("DROP TABLE IF EXISTS " + table);
            clickHouse.text("CREATE TABLE " + table + " AS sluice.telemetry");
        }
        List<byte[]> records = records(events);
        long rows = (long) events * METRICS.length;
        System.out.printf(Locale.ROOT, "Inserting %,d rows (%,d events of %d readings) each way, batches of %,d rows%n",
                rows, events, METRICS.length, batchRows);

        Side sink = sinkPath(endpoint, clickHouse, records, batchRows);
        Side tsv = clickHouseClient(clickHouse, tcpPort, records, batchRows);

        System.out.println();
        System.out.printf("%-56s %12s %10s %14s %12s%n", "insert path", "rows", "seconds", "rows/s", "rows stored");
        for (Side side : List.of(sink, tsv)) {
            System.out.printf(Locale.ROOT, "%-56s %,12d %10.2f %,14.0f %,12d%n", side.name(), side.rows(), side.seconds(),
                    side.rowsPerSecond(), side.rowsCounted());
        }
        double ratio = sink.rowsPerSecond() / tsv.rowsPerSecond();
        System.out.printf(Locale.ROOT, "%nsink / clickhouse-client: %.2f%n", ratio);
        Files.createDirectories(jsonOut.getParent());
        Files.writeString(jsonOut, String.format(Locale.ROOT,
                "{\"rows\": %d, \"batch_rows\": %d, \"sink_rows_per_s\": %.0f, \"sink_seconds\": %.3f, \"sink_rows_stored\": %d,"
                        + " \"clickhouse_client_rows_per_s\": %.0f, \"clickhouse_client_seconds\": %.3f,"
                        + " \"clickhouse_client_rows_stored\": %d, \"ratio\": %.3f, \"clickhouse_version\": \"%s\"}%n",
                rows, batchRows, sink.rowsPerSecond(), sink.seconds(), sink.rowsCounted(), tsv.rowsPerSecond(), tsv.seconds(),
                tsv.rowsCounted(), ratio, clickHouse.text("SELECT version()").strip()));
        System.out.println("Figures written to " + jsonOut);
        if (sink.rowsCounted() != rows || tsv.rowsCounted() != rows) {
            throw new IllegalStateException("a side stored a different number of rows than it inserted");
        }
    }

    /** The Kafka records the sink would read: Avro-encoded events, four readings each. */
    private static List<byte[]> records(int events) {
        List<byte[]> records = new ArrayList<>(events);
        long start = 1_763_800_000_000L;
        for (int i = 0; i < events; i++) {
            Map<String, Double> metrics = new TreeMap<>();
            for (int m = 0; m < METRICS.length; m++) {
                metrics.put(METRICS[m], (i % 1000) / 10.0 + m);
            }
            records.add(Topics.TELEMETRY_EVENT_SERDE.encode(TelemetryEvent.newBuilder().setDeviceId("bench-" + (i % 500))
                    .setTsMs(start + i).setSeq((long) i).setReceivedAtMs(start + i + 3).setMetrics(metrics).build()));
        }
        return records;
    }

    private static Side sinkPath(ClickHouseEndpoint endpoint, ClickHouseQueries clickHouse, List<byte[]> records, int batchRows)
            throws Exception {
        long rows = 0;
        long started = System.nanoTime();
        try (JdbcTelemetryWriter writer = new JdbcTelemetryWriter(endpoint, "sluice_bench.telemetry")) {
            List<TelemetryEvent> batch = new ArrayList<>();
            int batchSize = 0;
            for (byte[] record : records) {
                TelemetryEvent event = Topics.TELEMETRY_EVENT_SERDE.decode(record);
                batch.add(event);
                batchSize += event.getMetrics().size();
                if (batchSize >= batchRows) {
                    rows += writer.write(batch);
                    batch.clear();
                    batchSize = 0;
                }
            }
            rows += writer.write(batch);
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        return new Side("sink (Avro decode + clickhouse-jdbc batch insert)", rows, seconds,
                clickHouse.number("SELECT count() FROM sluice_bench.telemetry"));
    }

    private static Side clickHouseClient(ClickHouseQueries clickHouse, int tcpPort, List<byte[]> records, int batchRows)
            throws IOException, InterruptedException {
        List<Path> batches = new ArrayList<>();
        try {
            int perFile = Math.max(1, batchRows / METRICS.length);
            for (int first = 0; first < records.size(); first += perFile) {
                Path file = Files.createTempFile("sluice-bench-", ".tsv");
                batches.add(file);
                try (BufferedWriter out = new BufferedWriter(new OutputStreamWriter(Files.newOutputStream(file), StandardCharsets.UTF_8))) {
                    for (byte[] record : records.subList(first, Math.min(records.size(), first + perFile))) {
                        TelemetryEvent event = Topics.TELEMETRY_EVENT_SERDE.decode(record);
                        for (Map.Entry<String, Double> reading : event.getMetrics().entrySet()) {
                            out.write(event.getDeviceId() + '\t' + reading.getKey() + '\t' + reading.getValue() + '\t'
                                    + event.getTsMs() + '\t' + event.getSeq() + '\t' + event.getReceivedAtMs() + '\n');
                        }
                    }
                }
            }
            long rows = (long) records.size() * METRICS.length;
            long started = System.nanoTime();
            for (Path file : batches) {
                Process client = new ProcessBuilder("clickhouse-client", "--host", "127.0.0.1", "--port", Integer.toString(tcpPort),
                        "--query", "INSERT INTO sluice_bench.telemetry_tsv (device_id, metric, value, ts_ms, seq, received_at_ms)"
                        + " FORMAT TSV").redirectInput(file.toFile()).redirectErrorStream(true).start();
                String output = new String(client.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                if (!client.waitFor(120, TimeUnit.SECONDS) || client.exitValue() != 0) {
                    throw new IllegalStateException("clickhouse-client failed: " + output.strip());
                }
            }
            double seconds = (System.nanoTime() - started) / 1e9;
            return new Side("clickhouse-client FORMAT TSV (same rows, same batches)", rows, seconds,
                    clickHouse.number("SELECT count() FROM sluice_bench.telemetry_tsv"));
        } finally {
            for (Path file : batches) {
                Files.deleteIfExists(file);
            }
        }
    }
}
