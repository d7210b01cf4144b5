package io.sluice.load;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.sun.management.OperatingSystemMXBean;

import io.sluice.schemas.avro.TelemetryEvent;
import io.sluice.schemas.kafka.Topics;
import io.sluice.clickhouse.ClickHouseEndpoint;
import io.sluice.clickhouse.ClickHouseQueries;
import io.sluice.sink.JdbcTelemetryWriter;
import io.sluice.sink.TableWriter;
import io.sluice.sink.TelemetryWriter;

/**
 * How fast, and at what CPU cost, the sink's insert path writes telemetry into ClickHouse, beside the
 * path it replaced and the practical ceiling, measured in the same run on the same server:
 * <ol>
 *   <li>the sink's path: decode the Kafka records (Avro) and insert RowBinary through clickhouse-java's
 *       client (client-v2), {@link TelemetryWriter};</li>
 *   <li>the former path: the same rows bound into clickhouse-jdbc's batched prepared insert (SQL text);</li>
 *   <li>{@code clickhouse-client ... FORMAT TSV} inserting the same rows.</li>
 * </ol>
 * Each path writes its own copy of {@code sluice.telemetry} in database {@code sluice_bench} (after a
 * warm-up insert of a tenth of the rows, so that the JVM paths are compiled), and its row count is
 * checked afterwards. CPU is read per process: this benchmark's JVM for the two Java paths, the
 * {@code clickhouse-client} processes for the third, and the ClickHouse server for all three.
 */
public final class SinkBenchmark {

    private static final String[] METRICS = DeviceSignal.METRICS;

    private SinkBenchmark() {
    }

    /** The figures of one path. */
    public record Side(String name, long rows, double seconds, long rowsCounted, double clientMicrosPerRow, double serverMicrosPerRow) {
        public double rowsPerSecond() {
            return rows / seconds;
        }
    }

    /** An insert path under test: writes the records into a table, in batches of about {@code batchRows} rows. */
    private interface InsertPath {
        void insert(String table, List<byte[]> records, int batchRows) throws Exception;
    }

    public static void run(String clickHouseUrl, int tcpPort, Path clickHousePidFile, int events, int batchRows, Path jsonOut)
            throws Exception {
        ClickHouseEndpoint endpoint = new ClickHouseEndpoint(clickHouseUrl, "default", "");
        ClickHouseQueries clickHouse = new ClickHouseQueries(endpoint);
        if (!clickHouse.ping()) {
            throw new IllegalStateException("ClickHouse does not answer at " + clickHouseUrl + "; start it with ./sluice up");
        }
        if (clickHouse.number("EXISTS TABLE sluice.telemetry") != 1) {
            throw new IllegalStateException("sluice.telemetry does not exist yet; start the stack once with ./sluice up");
        }
        clickHouse.text("CREATE DATABASE IF NOT EXISTS sluice_bench");
        List<byte[]> records = records(events);
        long rows = (long) events * METRICS.length;
        System.out.printf(Locale.ROOT, "Inserting %,d rows (%,d events of %d readings) each way, batches of %,d rows%n",
                rows, events, METRICS.length, batchRows);
        ProcessCpu server = new ProcessCpu(clickHousePidFile);
        List<Side> sides = new ArrayList<>();
        sides.add(measure("sink: Avro decode + RowBinary via client-v2", "rowbinary", clickHouse, server, records, batchRows, false,
                (table, batch, size) -> {
                    try (TelemetryWriter writer = new TelemetryWriter(endpoint, table)) {
                        writeInBatches(writer, batch, size);
                    }
                }));
        sides.add(measure("former: Avro decode + clickhouse-jdbc batch (SQL)", "jdbc", clickHouse, server, records, batchRows, false,
                (table, batch, size) -> {
                    try (JdbcTelemetryWriter writer = new JdbcTelemetryWriter(endpoint, table)) {
                        writeInBatches(writer, batch, size);
                    }
                }));
        sides.add(measure("clickhouse-client FORMAT TSV (same rows, same batches)", "tsv", clickHouse, server, records, batchRows, true,
                (table, batch, size) -> clickHouseClient(tcpPort, table, batch, size)));

        System.out.println();
        System.out.printf("%-56s %12s %9s %12s %12s %14s %14s%n", "insert path", "rows", "seconds", "rows/s", "rows stored",
                "client µs/row", "server µs/row");
        for (Side side : sides) {
            System.out.printf(Locale.ROOT, "%-56s %,12d %9.2f %,12.0f %,12d %14.2f %14.2f%n", side.name(), side.rows(), side.seconds(),
                    side.rowsPerSecond(), side.rowsCounted(), side.clientMicrosPerRow(), side.serverMicrosPerRow());
        }
        System.out.printf(Locale.ROOT, "%nsink / clickhouse-client: %.2f in rows/s; sink / former: %.2f in client CPU per row%n",
                sides.get(0).rowsPerSecond() / sides.get(2).rowsPerSecond(),
                sides.get(0).clientMicrosPerRow() / sides.get(1).clientMicrosPerRow());
        Map<String, Object> figures = new LinkedHashMap<>();
        figures.put("rows", rows);
        figures.put("batchRows", batchRows);
        figures.put("clickhouseVersion", clickHouse.text("SELECT version()").strip());
        figures.put("paths", sides);
        Files.createDirectories(jsonOut.toAbsolutePath().getParent());
        Files.writeString(jsonOut, new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(figures));
        System.out.println("Figures written to " + jsonOut);
        for (Side side : sides) {
            if (side.rowsCounted() != rows) {
                throw new IllegalStateException(side.name() + " stored " + side.rowsCounted() + " rows of " + rows);
            }
        }
    }

    private static Side measure(String name, String suffix, ClickHouseQueries clickHouse, ProcessCpu server, List<byte[]> records,
                                int batchRows, boolean clientIsChild, InsertPath path) throws Exception {
        String table = "sluice_bench.telemetry_" + suffix;
        for (String t : List.of(table, table + "_warmup")) {
            clickHouse.text("DROP TABLE IF EXISTS " + t);
            clickHouse.text("CREATE TABLE " + t + " AS sluice.telemetry");
        }
        path.insert(table + "_warmup", records.subList(0, Math.max(1, records.size() / 10)), batchRows);
        clickHouse.text("DROP TABLE " + table + "_warmup");
        OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        double serverBefore = server.seconds();
        long clientBefore = clientIsChild ? childrenCpuNanos() : os.getProcessCpuTime();
        long started = System.nanoTime();
        path.insert(table, records, batchRows);
        double seconds = (System.nanoTime() - started) / 1e9;
        long clientNanos = (clientIsChild ? childrenCpuNanos() : os.getProcessCpuTime()) - clientBefore;
        double serverSeconds = server.seconds() - serverBefore;
        long rows = (long) records.size() * METRICS.length;
        return new Side(name, rows, seconds, clickHouse.number("SELECT count() FROM " + table), clientNanos / 1e3 / rows,
                serverSeconds * 1e6 / rows);
    }

    private static <W extends TableWriter<TelemetryEvent>> void writeInBatches(W writer, List<byte[]> records, int batchRows)
            throws Exception {
        List<TelemetryEvent> batch = new ArrayList<>();
        int batchSize = 0;
        for (byte[] record : records) {
            TelemetryEvent event = Topics.TELEMETRY_RAW.decode(record);
            batch.add(event);
            batchSize += event.getMetrics().size();
            if (batchSize >= batchRows) {
                writer.write(batch);
                batch.clear();
                batchSize = 0;
            }
        }
        writer.write(batch);
    }

    /** CPU time of the clickhouse-client processes this JVM ran and waited for (user plus system, from /proc/self/stat). */
    private static long childrenCpuNanos() throws IOException {
        String stat = Files.readString(Path.of("/proc/self/stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return (Long.parseLong(fields[13]) + Long.parseLong(fields[14])) * 10_000_000L; // cutime, cstime in 1/100 s
    }

    /** The CPU seconds one process has spent so far, read from /proc through its pid file; 0 when it cannot be read. */
    private record ProcessCpu(Path pidFile) {
        double seconds() {
            try {
                String stat = Files.readString(Path.of("/proc", Files.readString(pidFile).strip(), "stat"));
                String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) / 100.0;
            } catch (IOException | RuntimeException e) {
                return 0;
            }
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
            records.add(Topics.TELEMETRY_RAW.encode(TelemetryEvent.newBuilder().setDeviceId("bench-" + (i % 500))
                    .setTsMs(start + i).setSeq((long) i).setReceivedAtMs(start + i + 3).setMetrics(metrics).build()));
        }
        return records;
    }

    private static void clickHouseClient(int tcpPort, String table, List<byte[]> records, int batchRows)
            throws IOException, InterruptedException {
        int perFile = Math.max(1, batchRows / METRICS.length);
        for (int first = 0; first < records.size(); first += perFile) {
            StringBuilder tsv = new StringBuilder();
            for (byte[] record : records.subList(first, Math.min(records.size(), first + perFile))) {
                TelemetryEvent event = Topics.TELEMETRY_RAW.decode(record);
                for (Map.Entry<String, Double> reading : event.getMetrics().entrySet()) {
                    tsv.append(event.getDeviceId()).append('\t').append(reading.getKey()).append('\t').append(reading.getValue())
                            .append('\t').append(event.getTsMs()).append('\t').append(event.getSeq()).append('\t')
                            .append(event.getReceivedAtMs()).append('\n');
                }
            }
            Process client = new ProcessBuilder("clickhouse-client", "--host", "127.0.0.1", "--port", Integer.toString(tcpPort),
                    "--query", "INSERT INTO " + table + " (device_id, metric, value, ts_ms, seq, received_at_ms) FORMAT TSV")
                    .redirectErrorStream(true).start();
            try (var in = client.getOutputStream()) {
                in.write(tsv.toString().getBytes(StandardCharsets.UTF_8));
            }
            String output = new String(client.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!client.waitFor(120, TimeUnit.SECONDS) || client.exitValue() != 0) {
                throw new IllegalStateException("clickhouse-client failed: " + output.strip());
            }
        }
    }
}
