package io.sluice.load;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import io.sluice.clickhouse.ChdbEngine;
import io.sluice.clickhouse.ClickHouseQueries;
import io.sluice.schemas.clickhouse.ClickHouseMigrations;
import io.sluice.schemas.clickhouse.ClickHouseMigrations.Dialect;
import io.sluice.schemas.clickhouse.ClickHouseMigrations.Migration;

/**
 * {@code ./sluice bench storage}: the same realistic readings (the fleet simulator's signals, rounded as devices send
 * them, one a second with the jitter of real clocks, a few retransmitted) loaded into {@code sluice.telemetry} of each
 * dialect on a current engine (chdb, ClickHouse 26.7), side by side: bytes per reading (after the merges that collapse
 * retransmits), per column, rows inserted per second, and the time of the docs' main queries.
 */
public final class StorageBenchmark {

    /** Bytes per reading the current dialect must reach: where InfluxDB's TSM and TimescaleDB compression sit. */
    public static final double TARGET_BYTES_PER_READING = 3.0;
    private static final int BATCH_ROWS = 250_000;
    private static final int QUERY_RUNS = 5;

    /** The docs' main queries (docs/querying.md), on the readings of this run. */
    static final Map<String, String> QUERIES = queries();

    /** One dialect's figures. */
    public record Side(String dialect, long readings, double bytesPerReading, Map<String, Double> bytesPerReadingByColumn,
                       double rowsPerSecond, Map<String, Double> queryMillis, ReadCost reads) {
    }

    /**
     * This JVM's CPU per row (ns) reading every reading back ({@link #READ_ALL}): as TabSeparated text
     * ({@link ClickHouseQueries#rows}, which 18.16 also serves) and typed through client-v2 ({@link ClickHouseQueries#read}).
     */
    public record ReadCost(double textNanosPerRow, double typedNanosPerRow) {
    }

    static final String READ_ALL = "SELECT device_id, metric, ts_ms, value FROM sluice.telemetry";

    private StorageBenchmark() {
    }

    public static List<Side> run(int devices, int seconds, Path workDir, Path jsonOut, PrintStream out) throws Exception {
        out.printf(Locale.ROOT, "Loading %,d readings (%d devices × 4 metrics × %d s at 1 s) into each dialect on chdb...%n",
                (long) devices * 4 * seconds, devices, seconds);
        List<Side> sides = new ArrayList<>();
        for (Dialect dialect : Dialect.values()) {
            try (ChdbEngine engine = ChdbEngine.start(workDir.resolve(dialect.folder()))) {
                sides.add(measure(dialect, new ClickHouseQueries(engine.endpoint()), devices, seconds, out));
            }
        }
        print(sides, out);
        Files.createDirectories(jsonOut.toAbsolutePath().getParent());
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(jsonOut.toFile(), Map.of("engine", "chdb 3.4.0"
                + " (ClickHouse 26.7)", "devices", devices, "seconds", seconds, "targetBytesPerReading", TARGET_BYTES_PER_READING,
                "dialects", sides));
        out.println("Figures in " + jsonOut);
        return sides;
    }

    private static Side measure(Dialect dialect, ClickHouseQueries clickHouse, int devices, int seconds, PrintStream out)
            throws IOException, InterruptedException {
        for (Migration migration : ClickHouseMigrations.all(dialect).subList(0, 2)) { // the database and sluice.telemetry
            clickHouse.text(migration.sql());
        }
        Readings readings = new Readings(devices, seconds);
        long started = System.nanoTime();
        long rows = 0;
        StringBuilder batch = new StringBuilder(BATCH_ROWS * 64);
        int inBatch = 0;
        for (int appended = readings.next(batch); appended > 0; appended = readings.next(batch)) {
            inBatch += appended;
            if (inBatch >= BATCH_ROWS) {
                rows += insert(clickHouse, batch, inBatch);
                inBatch = 0;
            }
        }
        rows += insert(clickHouse, batch, inBatch);
        double insertSeconds = (System.nanoTime() - started) / 1e9;
        clickHouse.text("OPTIMIZE TABLE sluice.telemetry FINAL");
        long kept = clickHouse.number("SELECT count() FROM sluice.telemetry");
        long bytes = clickHouse.number("SELECT sum(data_compressed_bytes) FROM system.parts WHERE database = 'sluice'"
                + " AND table = 'telemetry' AND active");
        Map<String, Double> byColumn = new LinkedHashMap<>();
        for (String[] row : clickHouse.rows("SELECT column, sum(column_data_compressed_bytes) FROM system.parts_columns"
                + " WHERE database = 'sluice' AND table = 'telemetry' AND active GROUP BY column ORDER BY min(column_position)")) {
            byColumn.put(row[0], Long.parseLong(row[1]) / (double) kept);
        }
        Map<String, Double> millis = new LinkedHashMap<>();
        for (Map.Entry<String, String> query : QUERIES.entrySet()) {
            millis.put(query.getKey(), medianMillis(clickHouse, query.getValue()));
        }
        ReadCost reads = readCost(clickHouse, kept);
        out.printf(Locale.ROOT, "  %s: %,d rows sent (%,d retransmits), %,d kept, %.2f bytes per reading%n", dialect.folder(), rows,
                readings.retransmits, kept, bytes / (double) kept);
        return new Side(dialect.folder(), kept, bytes / (double) kept, byColumn, rows / insertSeconds, millis, reads);
    }

    /** Each way three times, alternately; the median of each (the first runs also warm the JIT up). */
    private static ReadCost readCost(ClickHouseQueries clickHouse, long rows) throws IOException, InterruptedException {
        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        double[] text = new double[3];
        double[] typed = new double[3];
        for (int i = 0; i < 3; i++) {
            long started = os.getProcessCpuTime();
            long[] checksum = new long[1];
            for (String[] row : clickHouse.rows(READ_ALL)) {
                checksum[0] += row[0].length() + row[1].length() + Long.parseLong(row[2]) + (long) Double.parseDouble(row[3]);
            }
            text[i] = (os.getProcessCpuTime() - started) / (double) rows;
            long textSum = checksum[0];
            checksum[0] = 0;
            started = os.getProcessCpuTime();
            clickHouse.read(READ_ALL, row -> checksum[0] += row.string(1).length() + row.string(2).length() + row.integer(3)
                    + (long) row.real(4));
            typed[i] = (os.getProcessCpuTime() - started) / (double) rows;
            if (checksum[0] != textSum) {
                throw new IllegalStateException("the typed read disagrees with the text read");
            }
        }
        Arrays.sort(text);
        Arrays.sort(typed);
        return new ReadCost(text[1], typed[1]);
    }

    private static long insert(ClickHouseQueries clickHouse, StringBuilder batch, int rows) throws IOException, InterruptedException {
        if (rows > 0) {
            clickHouse.insert("INSERT INTO sluice.telemetry (device_id, metric, value, ts_ms, seq, received_at_ms) FORMAT TabSeparated",
                    batch.toString().getBytes(StandardCharsets.UTF_8));
            batch.setLength(0);
        }
        return rows;
    }

    private static double medianMillis(ClickHouseQueries clickHouse, String sql) throws IOException, InterruptedException {
        double[] runs = new double[QUERY_RUNS];
        for (int i = 0; i < QUERY_RUNS; i++) {
            long started = System.nanoTime();
            clickHouse.text(sql);
            runs[i] = (System.nanoTime() - started) / 1e6;
        }
        Arrays.sort(runs);
        return runs[QUERY_RUNS / 2];
    }

    private static void print(List<Side> sides, PrintStream out) {
        Side portable = sides.get(0);
        Side current = sides.get(1);
        out.printf(Locale.ROOT, "%n%-36s %12s %12s%n", "sluice.telemetry on ClickHouse 26.7", "portable", "current");
        out.printf(Locale.ROOT, "%-36s %12.2f %12.2f   (target ≤ %.1f: %s)%n", "bytes per reading", portable.bytesPerReading(),
                current.bytesPerReading(), TARGET_BYTES_PER_READING, current.bytesPerReading() <= TARGET_BYTES_PER_READING
                        ? "met" : "NOT met");
        for (String column : current.bytesPerReadingByColumn().keySet()) {
            out.printf(Locale.ROOT, "%-36s %12.2f %12.2f%n", "  " + column, portable.bytesPerReadingByColumn().getOrDefault(column, 0.0),
                    current.bytesPerReadingByColumn().get(column));
        }
        out.printf(Locale.ROOT, "%-36s %,12.0f %,12.0f%n", "readings inserted per second", portable.rowsPerSecond(),
                current.rowsPerSecond());
        out.printf(Locale.ROOT, "%-36s %12.0f %12.0f%n", "ns of client CPU per row read, text", portable.reads().textNanosPerRow(),
                current.reads().textNanosPerRow());
        out.printf(Locale.ROOT, "%-36s %12.0f %12.0f%n", "ns of client CPU per row read, typed", portable.reads().typedNanosPerRow(),
                current.reads().typedNanosPerRow());
        for (String query : QUERIES.keySet()) {
            out.printf(Locale.ROOT, "%-36s %12.1f %12.1f%n", "ms, " + query, portable.queryMillis().get(query),
                    current.queryMillis().get(query));
        }
    }

    private static Map<String, String> queries() {
        Map<String, String> queries = new LinkedHashMap<>();
        queries.put("readings per metric", "SELECT metric, count() FROM sluice.telemetry FINAL GROUP BY metric");
        queries.put("last temperature per device", "SELECT device_id, argMax(value, ts_ms) AS last, max(ts) AS at"
                + " FROM sluice.telemetry FINAL WHERE metric = 'temperature' GROUP BY device_id");
        queries.put("one device's minutes", "SELECT toStartOfMinute(ts) AS minute, avg(value), quantile(0.95)(value)"
                + " FROM sluice.telemetry FINAL WHERE device_id = 'bench-00007' AND metric = 'temperature'"
                + " GROUP BY minute ORDER BY minute");
        queries.put("fleet minute percentiles", "SELECT toStartOfMinute(ts) AS minute, quantiles(0.5, 0.95, 0.99)(value)"
                + " FROM sluice.telemetry FINAL WHERE metric = 'temperature' GROUP BY minute ORDER BY minute");
        return queries;
    }

    /**
     * The readings, device after device as a sink's batches would mostly hold them second by second: each device's own
     * clock ticks every 1000 ms ± a few, the bridge receives each a few to a few hundred ms later, and 1 in 1,000 is
     * sent twice (an MQTT retransmit).
     */
    private static final class Readings {
        private final int devices;
        private final int seconds;
        private final DeviceSignal[] signals;
        private final long[] clocks;
        private final Random random = new Random(42);
        private final long startMs = 1_795_000_000_000L;
        private int second;
        private int device;
        long retransmits;

        Readings(int devices, int seconds) {
            this.devices = devices;
            this.seconds = seconds;
            this.signals = new DeviceSignal[devices];
            this.clocks = new long[devices];
            for (int d = 0; d < devices; d++) {
                signals[d] = new DeviceSignal(d);
                clocks[d] = startMs + random.nextInt(1000);
            }
        }

        /** Appends the next message's rows (4 readings, 8 when retransmitted) and returns how many; 0 once all are done. */
        int next(StringBuilder out) {
            if (second == seconds) {
                return 0;
            }
            String id = String.format(Locale.ROOT, "bench-%05d", device);
            long ts = clocks[device];
            clocks[device] += 1000 + Math.round(random.nextGaussian() * 2);
            double[] values = signals[device].sent(ts, second);
            long received = ts + 2 + (long) (-15 * Math.log(1 - random.nextDouble()));
            int copies = random.nextInt(1000) == 0 ? 2 : 1;
            retransmits += copies - 1;
            for (int copy = 0; copy < copies; copy++) {
                for (int m = 0; m < values.length; m++) {
                    out.append(id).append('\t').append(DeviceSignal.METRICS[m]).append('\t').append(values[m]).append('\t')
                            .append(ts).append('\t').append(second).append('\t').append(received + copy * 2000L).append('\n');
                }
            }
            if (++device == devices) {
                device = 0;
                second++;
            }
            return copies * values.length;
        }
    }
}
