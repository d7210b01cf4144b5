package io.sluice.sink;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;

import io.sluice.schemas.avro.TelemetryEvent;

/**
 * Writes telemetry into {@code sluice.telemetry} through clickhouse-jdbc, one batched prepared insert
 * per batch. Timestamps go as epoch-millisecond numbers (the DateTime columns derive from them): the
 * driver's own timestamp encoding needs functions ClickHouse 18.16 lacks.
 */
public final class JdbcTelemetryWriter implements TelemetryWriter {

    static final String INSERT = "INSERT INTO sluice.telemetry (device_id, metric, value, ts_ms, seq, received_at_ms)"
            + " VALUES (?, ?, ?, ?, ?, ?)";

    /** The seq column's value for a reading whose device sent no sequence number. */
    public static final long NO_SEQUENCE = -1;

    private final ClickHouseEndpoint endpoint;
    private Connection connection;

    public JdbcTelemetryWriter(ClickHouseEndpoint endpoint) {
        this.endpoint = endpoint;
    }

    @Override
    public int write(List<TelemetryEvent> events) throws SQLException {
        try (PreparedStatement insert = connection().prepareStatement(INSERT)) {
            int rows = 0;
            for (TelemetryEvent event : events) {
                long seq = event.getSeq() == null ? NO_SEQUENCE : event.getSeq();
                for (Map.Entry<String, Double> reading : event.getMetrics().entrySet()) {
                    insert.setString(1, event.getDeviceId());
                    insert.setString(2, reading.getKey());
                    insert.setDouble(3, reading.getValue());
                    insert.setLong(4, event.getTsMs());
                    insert.setLong(5, seq);
                    insert.setLong(6, event.getReceivedAtMs());
                    insert.addBatch();
                    rows++;
                }
            }
            if (rows > 0) {
                insert.executeBatch();
            }
            return rows;
        } catch (SQLException e) {
            closeConnection();
            throw e;
        }
    }

    private Connection connection() throws SQLException {
        if (connection == null) {
            connection = DriverManager.getConnection(endpoint.jdbcUrl(), endpoint.jdbcProperties());
        }
        return connection;
    }

    private void closeConnection() {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException ignored) {
                // The connection is being dropped because it failed; a failure to close it adds nothing.
            }
            connection = null;
        }
    }

    @Override
    public void close() {
        closeConnection();
    }
}
