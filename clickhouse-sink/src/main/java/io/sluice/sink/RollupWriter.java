package io.sluice.sink;

import java.util.List;

import io.sluice.clickhouse.ClickHouseEndpoint;
import io.sluice.schemas.avro.TelemetryRollup;

/**
 * Writes closed rollup windows into {@code sluice.telemetry_1m} or {@code sluice.telemetry_1h}: one row per device, metric
 * and window. The table's version is the count, so a window written twice collapses in FINAL and a fuller rebuild of it
 * wins.
 */
public final class RollupWriter extends RowBinaryTableWriter<TelemetryRollup> {

    private final String table;

    public RollupWriter(ClickHouseEndpoint endpoint, String table) {
        super(endpoint, "sluice." + table, List.of("device_id", "metric", "window_start_ms", "count", "sum", "sum_squares", "min",
                "max", "first", "first_ts_ms", "last", "last_ts_ms"));
        this.table = table;
    }

    @Override
    public String table() {
        return table;
    }

    @Override
    int addRows(TelemetryRollup rollup) {
        string(rollup.getDeviceId());
        string(rollup.getMetric());
        int64(rollup.getWindowStartMs());
        int64(rollup.getCount());
        float64(rollup.getSum());
        float64(rollup.getSumSquares());
        float64(rollup.getMin());
        float64(rollup.getMax());
        float64(rollup.getFirst());
        int64(rollup.getFirstTsMs());
        float64(rollup.getLast());
        int64(rollup.getLastTsMs());
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
