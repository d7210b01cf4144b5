package io.sluice.sink;

import io.sluice.clickhouse.ClickHouseEndpoint;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Map;

import io.sluice.schemas.avro.TelemetryEvent;

/**
 * Telemetry rows through clickhouse-jdbc's batched prepared insert (the rows travel as SQL text): the sink's former
 * path into {@code sluice.telemetry}, kept as the baseline {@code ./sluice bench sink} measures {@link TelemetryWriter} against.
 */
public final class JdbcTelemetryWriter extends JdbcTableWriter<TelemetryEvent> {

    /** The seq column's value for a reading whose device sent no sequence number. */
    public static final long NO_SEQUENCE = -1;

    public JdbcTelemetryWriter(ClickHouseEndpoint endpoint) {
        this(endpoint, "sluice.telemetry");
    }

    /** Writes into another table of the same columns, such as a benchmark's copy. */
    public JdbcTelemetryWriter(ClickHouseEndpoint endpoint, String table) {
        super(endpoint, "INSERT INTO " + table + " (device_id, metric, value, ts_ms, seq, received_at_ms)"
                + " VALUES (?, ?, ?, ?, ?, ?)");
    }

    @Override
    public String table() {
        return "telemetry";
    }

    @Override
    int addRows(PreparedStatement insert, TelemetryEvent event) throws SQLException {
        long seq = event.getSeq() == null ? NO_SEQUENCE : event.getSeq();
        for (Map.Entry<String, Double> reading : event.getMetrics().entrySet()) {
            insert.setString(1, event.getDeviceId());
            insert.setString(2, reading.getKey());
            insert.setDouble(3, reading.getValue());
            insert.setLong(4, event.getTsMs());
            insert.setLong(5, seq);
            insert.setLong(6, event.getReceivedAtMs());
            insert.addBatch();
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
