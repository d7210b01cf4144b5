package io.sluice.sink;

import io.sluice.clickhouse.ClickHouseEndpoint;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import com.clickhouse.client.api.Client;
import com.clickhouse.client.api.insert.InsertResponse;
import com.clickhouse.client.api.insert.InsertSettings;
import com.clickhouse.data.ClickHouseFormat;

import io.sluice.schemas.avro.TelemetryEvent;

/**
 * Writes telemetry into {@code sluice.telemetry}, one row per reading (device, metric, time), in
 * ClickHouse's RowBinary format through clickhouse-java's client (client-v2): the rows go as their
 * binary values, with nothing to format on this side and nothing to parse on the server's. Measured
 * against the same rows through clickhouse-jdbc's batched prepared insert, which writes them as SQL
 * text: docs/benchmarks.md ({@code ./sluice bench sink}).
 */
public final class TelemetryWriter implements TableWriter<TelemetryEvent> {

    /** The seq column's value for a reading whose device sent no sequence number. */
    public static final long NO_SEQUENCE = -1;

    private static final List<String> COLUMNS = List.of("device_id", "metric", "value", "ts_ms", "seq", "received_at_ms");
    private static final long INSERT_TIMEOUT_MS = 60_000;

    private final Client client;
    private final String table;
    private byte[] rows = new byte[64 * 1024];
    private int size;

    public TelemetryWriter(ClickHouseEndpoint endpoint) {
        this(endpoint, "sluice.telemetry");
    }

    /** Writes into another table of the same columns, such as a benchmark's copy. */
    public TelemetryWriter(ClickHouseEndpoint endpoint, String table) {
        this.client = endpoint.client();
        this.table = table;
    }

    @Override
    public String table() {
        return "telemetry";
    }

    @Override
    public int write(List<TelemetryEvent> records) throws Exception {
        size = 0;
        int count = 0;
        for (TelemetryEvent event : records) {
            byte[] device = event.getDeviceId().getBytes(StandardCharsets.UTF_8);
            long seq = event.getSeq() == null ? NO_SEQUENCE : event.getSeq();
            for (Map.Entry<String, Double> reading : event.getMetrics().entrySet()) {
                writeString(device);
                writeString(reading.getKey().getBytes(StandardCharsets.UTF_8));
                writeLong(Double.doubleToRawLongBits(reading.getValue()));
                writeLong(event.getTsMs());
                writeLong(seq);
                writeLong(event.getReceivedAtMs());
                count++;
            }
        }
        if (count == 0) {
            return 0;
        }
        try (InsertResponse ignored = client.insert(table, COLUMNS, new ByteArrayInputStream(rows, 0, size), ClickHouseFormat.RowBinary,
                new InsertSettings()).get(INSERT_TIMEOUT_MS, TimeUnit.MILLISECONDS)) {
            return count;
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        }
    }

    private void ensure(int more) {
        if (size + more > rows.length) {
            rows = Arrays.copyOf(rows, Math.max(rows.length * 2, size + more));
        }
    }

    private void writeString(byte[] utf8) {
        ensure(utf8.length + 5);
        int length = utf8.length;
        while ((length & ~0x7F) != 0) {
            rows[size++] = (byte) ((length & 0x7F) | 0x80);
            length >>>= 7;
        }
        rows[size++] = (byte) length;
        System.arraycopy(utf8, 0, rows, size, utf8.length);
        size += utf8.length;
    }

    private void writeLong(long value) {
        ensure(8);
        for (int i = 0; i < 8; i++) {
            rows[size++] = (byte) (value >>> (8 * i));
        }
    }

    @Override
    public int rowsOf(TelemetryEvent event) {
        return event.getMetrics().size();
    }

    @Override
    public long receivedAtMs(TelemetryEvent event) {
        return event.getReceivedAtMs();
    }

    @Override
    public String deviceIdOf(TelemetryEvent record) {
        return record.getDeviceId();
    }

    @Override
    public void close() {
        client.close();
    }
}
