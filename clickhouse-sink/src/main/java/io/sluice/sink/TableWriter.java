package io.sluice.sink;

import java.util.List;

/**
 * Where a sink loop writes the records of one topic: one ClickHouse table. A write either succeeds as
 * a whole (the rows are durable) or throws; on a throw the caller keeps the batch and retries it,
 * which is safe because every table collapses rows with the same natural key.
 */
public interface TableWriter<T> extends AutoCloseable {

    /** The table written, for logs and metrics. */
    String table();

    /** Writes the records; returns the number of rows written. */
    int write(List<T> records) throws Exception;

    /** How many rows a record becomes (a telemetry event becomes one row per metric). */
    int rowsOf(T record);

    /** The device a record is about, for a dead letter when ClickHouse refuses it. */
    String deviceIdOf(T record);

    /** When the bridge received the input behind a record, epoch ms: the start of end-to-end latency. */
    long receivedAtMs(T record);

    @Override
    void close();
}
