package io.sluice.sink;

import java.util.List;

import io.sluice.clickhouse.ClickHouseEndpoint;
import io.sluice.schemas.avro.Anomaly;

/** Writes anomaly episodes into {@code sluice.anomalies}, one row each, with what explains them. */
public final class AnomalyWriter extends RowBinaryTableWriter<Anomaly> {

    public AnomalyWriter(ClickHouseEndpoint endpoint) {
        super(endpoint, "sluice.anomalies", List.of("device_id", "metric", "ts_ms", "detector", "severity", "value", "expected",
                "score", "detail", "detected_at_ms", "received_at_ms"));
    }

    @Override
    public String table() {
        return "anomalies";
    }

    @Override
    int addRows(Anomaly anomaly) {
        string(anomaly.getDeviceId());
        string(anomaly.getMetric());
        int64(anomaly.getTsMs());
        string(anomaly.getDetector());
        string(anomaly.getSeverity());
        float64(finite(anomaly.getValue()));
        float64(finite(anomaly.getExpected()));
        float64(finite(anomaly.getScore()));
        string(anomaly.getDetail());
        int64(anomaly.getDetectedAtMs());
        int64(anomaly.getReceivedAtMs());
        return 1;
    }

    /** NaN and infinities are stored as 0, as they always were (the detail line keeps the story): queries need no guard. */
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
