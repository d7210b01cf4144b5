package io.sluice.sink;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import io.sluice.schemas.avro.TelemetryEvent;

/** A {@link TelemetryWriter} that keeps rows in memory and can be told to fail, for unit tests. */
final class InMemoryTelemetryWriter implements TelemetryWriter {

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
    public void close() {
    }
}
