package io.sluice.sink;

import io.sluice.clickhouse.ClickHouseEndpoint;
import java.sql.PreparedStatement;
import java.sql.SQLException;

import io.sluice.schemas.avro.Anomaly;

/** Writes anomalies into {@code sluice.anomalies}: one row per episode a detector raised. */
public final class JdbcAnomalyWriter extends JdbcTableWriter<Anomaly> {

    public JdbcAnomalyWriter(ClickHouseEndpoint endpoint) {
        super(endpoint, "INSERT INTO sluice.anomalies (device_id, metric, ts_ms, detector, severity, value, expected, score, detail,"
                + " detected_at_ms, received_at_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    }

    @Override
    public String table() {
        return "anomalies";
    }

    @Override
    int addRows(PreparedStatement insert, Anomaly anomaly) throws SQLException {
        insert.setString(1, anomaly.getDeviceId());
        insert.setString(2, anomaly.getMetric());
        insert.setLong(3, anomaly.getTsMs());
        insert.setString(4, anomaly.getDetector());
        insert.setString(5, anomaly.getSeverity());
        insert.setDouble(6, finite(anomaly.getValue()));
        insert.setDouble(7, finite(anomaly.getExpected()));
        insert.setDouble(8, finite(anomaly.getScore()));
        insert.setString(9, anomaly.getDetail());
        insert.setLong(10, anomaly.getDetectedAtMs());
        insert.setLong(11, anomaly.getReceivedAtMs());
        insert.addBatch();
        return 1;
    }

    /** ClickHouse 18.16 over JDBC is unreliable with NaN and infinities: they are stored as 0 (the detail line keeps the story). */
    private static double finite(double value) {
        return Double.isFinite(value) ? value : 0.0;
    }


    @Override
    public long receivedAtMs(Anomaly anomaly) {
        return anomaly.getReceivedAtMs();
    }

    @Override
    public String deviceIdOf(Anomaly anomaly) {
        return anomaly.getDeviceId();
    }
}
