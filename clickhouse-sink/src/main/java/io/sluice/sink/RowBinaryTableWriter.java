package io.sluice.sink;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import com.clickhouse.client.api.Client;
import com.clickhouse.client.api.insert.InsertResponse;
import com.clickhouse.client.api.insert.InsertSettings;
import com.clickhouse.data.ClickHouseFormat;

import io.sluice.clickhouse.ClickHouseEndpoint;

/**
 * A {@link TableWriter} that sends each batch as one insert in ClickHouse's RowBinary format through clickhouse-java's
 * client (client-v2): the rows go as their binary values, with nothing to format on this side and nothing to parse on
 * the server's. Measured against clickhouse-jdbc's batched prepared insert (SQL text) on 18.16: under half the client CPU
 * per row (docs/benchmarks.md, {@code ./sluice bench sink}); the same bytes serve both dialects, as their columns share
 * names and stored types (LowCardinality(String) takes a String in RowBinary). Subclasses say how a record becomes rows.
 */
abstract class RowBinaryTableWriter<T> implements TableWriter<T> {

    private static final long INSERT_TIMEOUT_MS = 60_000;

    private final Client client;
    private final String table;
    private final List<String> columns;
    private byte[] rows = new byte[64 * 1024];
    private int size;

    RowBinaryTableWriter(ClickHouseEndpoint endpoint, String table, List<String> columns) {
        this.client = endpoint.client();
        this.table = table;
        this.columns = List.copyOf(columns);
    }

    /** Appends the rows of one record, each column in the order of the constructor's list; returns how many rows. */
    abstract int addRows(T record);

    /** One row per record, unless a writer says otherwise (telemetry: one per reading). */
    @Override
    public int rowsOf(T record) {
        return 1;
    }

    @Override
    public int write(List<T> records) throws Exception {
        size = 0;
        int count = 0;
        for (T record : records) {
            count += addRows(record);
        }
        if (count == 0) {
            return 0;
        }
        try (InsertResponse ignored = client.insert(table, columns, new ByteArrayInputStream(rows, 0, size), ClickHouseFormat.RowBinary,
                new InsertSettings()).get(INSERT_TIMEOUT_MS, TimeUnit.MILLISECONDS)) {
            return count;
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        }
    }

    /** String: its UTF-8 bytes after their length (LEB128). */
    final void string(String text) {
        bytes(text.getBytes(StandardCharsets.UTF_8));
    }

    /** String from bytes already encoded. */
    final void bytes(byte[] utf8) {
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

    /** UInt64 or Int64. */
    final void int64(long value) {
        little(value, 8);
    }

    final void float64(double value) {
        little(Double.doubleToRawLongBits(value), 8);
    }

    final void uint32(long value) {
        little(value, 4);
    }

    final void uint16(int value) {
        little(value, 2);
    }

    final void uint8(int value) {
        little(value, 1);
    }

    private void little(long value, int width) {
        ensure(width);
        for (int i = 0; i < width; i++) {
            rows[size++] = (byte) (value >>> (8 * i));
        }
    }

    private void ensure(int more) {
        if (size + more > rows.length) {
            rows = Arrays.copyOf(rows, Math.max(rows.length * 2, size + more));
        }
    }

    @Override
    public void close() {
        client.close();
    }
}
