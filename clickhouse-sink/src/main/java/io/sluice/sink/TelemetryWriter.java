package io.sluice.sink;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import io.sluice.clickhouse.ClickHouseEndpoint;
import io.sluice.schemas.avro.TelemetryEvent;

/** Writes telemetry into {@code sluice.telemetry}, one row per reading (device, metric, time), in RowBinary. */
public final class TelemetryWriter extends RowBinaryTableWriter<TelemetryEvent> {

    /** The seq column's value for a reading whose device sent no sequence number. */
    public static final long NO_SEQUENCE = -1;

    public TelemetryWriter(ClickHouseEndpoint endpoint) {
        this(endpoint, "sluice.telemetry");
    }

    /** Writes into another table of the same columns, such as a benchmark's copy. */
    public TelemetryWriter(ClickHouseEndpoint endpoint, String table) {
        super(endpoint, table, List.of("device_id", "metric", "value", "ts_ms", "seq", "received_at_ms"));
    }

    @Override
    public String table() {
        return "telemetry";
    }

    @Override
    int addRows(TelemetryEvent event) {
        byte[] device = event.getDeviceId().getBytes(StandardCharsets.UTF_8);
        long seq = event.getSeq() == null ? NO_SEQUENCE : event.getSeq();
        for (Map.Entry<String, Double> reading : event.getMetrics().entrySet()) {
            bytes(device);
            string(reading.getKey());
            float64(reading.getValue());
            int64(event.getTsMs());
            int64(seq);
            int64(event.getReceivedAtMs());
        }
        return event.getMetrics().size();
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
}
