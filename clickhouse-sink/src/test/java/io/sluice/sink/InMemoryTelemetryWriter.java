package io.sluice.sink;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import io.sluice.schemas.avro.TelemetryEvent;

/** A telemetry {@link TableWriter} that keeps rows in memory and can be told to fail, for unit tests. */
final class InMemoryTelemetryWriter implements TableWriter<TelemetryEvent> {

    final List<TelemetryEvent> written = new CopyOnWriteArrayList<>();
    volatile int failuresToCome;
    volatile int attempts;

    @Override
    public synchronized int write(List<TelemetryEvent> events) throws Exception {
        attempts++;
        if (failuresToCome > 0) {
            failuresToCome--;
            throw new java.net.ConnectException("Connection refused (simulated)");
        }
        written.addAll(events);
        return events.stream().mapToInt(e -> e.getMetrics().size()).sum();
    }

    @Override
    public String table() {
        return "telemetry";
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
    public void close() {
    }
}
