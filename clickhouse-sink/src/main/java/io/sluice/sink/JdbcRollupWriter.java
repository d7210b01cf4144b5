package io.sluice.sink;

import io.sluice.clickhouse.ClickHouseEndpoint;
import java.sql.PreparedStatement;
import java.sql.SQLException;

import io.sluice.schemas.avro.TelemetryRollup;

/**
 * Writes closed rollup windows into {@code sluice.telemetry_1m} or {@code sluice.telemetry_1h}: one row
 * per device, metric and window. The table's version is the count, so a window written twice
 * collapses in FINAL and a fuller rebuild of it wins.
 */
public final class JdbcRollupWriter extends JdbcTableWriter<TelemetryRollup> {

    private final String table;

    public JdbcRollupWriter(ClickHouseEndpoint endpoint, String table) {
        super(endpoint, "INSERT INTO sluice." + table + " (device_id, metric, window_start_ms, count, sum, sum_squares, min, max,"
                + " first, first_ts_ms, last, last_ts_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
        this.table = table;
    }

    @Override
    public String table() {
        return table;
    }

    @Override
    int addRows(PreparedStatement insert, TelemetryRollup rollup) throws SQLException {
        insert.setString(1, rollup.getDeviceId());
        insert.setString(2, rollup.getMetric());
        insert.setLong(3, rollup.getWindowStartMs());
        insert.setLong(4, rollup.getCount());
        insert.setDouble(5, rollup.getSum());
        insert.setDouble(6, rollup.getSumSquares());
        insert.setDouble(7, rollup.getMin());
        insert.setDouble(8, rollup.getMax());
        insert.setDouble(9, rollup.getFirst());
        insert.setLong(10, rollup.getFirstTsMs());
        insert.setDouble(11, rollup.getLast());
        insert.setLong(12, rollup.getLastTsMs());
        insert.addBatch();
        return 1;
    }


    @Override
    public long receivedAtMs(TelemetryRollup rollup) {
        return rollup.getMaxReceivedAtMs();
    }

    @Override
    public String deviceIdOf(TelemetryRollup rollup) {
        return rollup.getDeviceId();
    }
}
