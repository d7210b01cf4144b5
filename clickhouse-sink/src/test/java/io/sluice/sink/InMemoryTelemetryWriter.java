package io.sluice.sink;

import io.sluice.clickhouse.ClickHouseEndpoint;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import io.sluice.schemas.avro.TelemetryEvent;

/**
 * The telemetry {@link TableWriter} with its writes kept in memory, and told to fail on demand, for
 * unit tests. What a table is (its name, how many rows a record makes) comes from the real
 * {@link TelemetryWriter}, which never connects here: only {@link #write} is replaced.
 */
final class InMemoryTelemetryWriter implements TableWriter<TelemetryEvent> {

    private final TableWriter<TelemetryEvent> real =
            new TelemetryWriter(new ClickHouseEndpoint("http://127.0.0.1:1", "default", ""));

    final List<TelemetryEvent> written = new CopyOnWriteArrayList<>();
    volatile int failuresToCome;
    /** A reading time ClickHouse "refuses" as bad data (error code 27), or -1. */
    volatile long refusedTs = -1;
    volatile int attempts;

    @Override
    public synchronized int write(List<TelemetryEvent> events) throws Exception {
        attempts++;
        if (failuresToCome > 0) {
            failuresToCome--;
            throw new java.net.ConnectException("Connection refused (simulated)");
        }
        if (events.stream().anyMatch(event -> event.getTsMs() == refusedTs)) {
            throw new java.sql.SQLException("Code: 27. DB::Exception: Cannot parse input: expected '\\t' before: 'x' (simulated)");
        }
        written.addAll(events);
        return events.stream().mapToInt(this::rowsOf).sum();
    }

    @Override
    public String table() {
        return real.table();
    }

    @Override
    public int rowsOf(TelemetryEvent event) {
        return real.rowsOf(event);
    }

    @Override
    public long receivedAtMs(TelemetryEvent event) {
        return real.receivedAtMs(event);
    }

    @Override
    public void close() {
        real.close();
    }

    @Override
    public String deviceIdOf(TelemetryEvent event) {
        return real.deviceIdOf(event);
    }
}
