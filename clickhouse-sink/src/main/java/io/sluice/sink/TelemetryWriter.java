package io.sluice.sink;

import java.util.List;

import io.sluice.schemas.avro.TelemetryEvent;

/**
 * Where the sink writes telemetry: one row per reading. A write either succeeds as a whole (the rows
 * are durable) or throws; on a throw the caller keeps the batch and retries it, which is safe because
 * rows are deduplicated by natural key.
 */
public interface TelemetryWriter extends AutoCloseable {

    /** Writes every reading of the events; returns the number of rows written. */
    int write(List<TelemetryEvent> events) throws Exception;

    @Override
    void close();
}
