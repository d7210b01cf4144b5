-- Hourly rollups, the same shape as sluice.telemetry_1m (see V005): one row per device, metric and hour.
CREATE TABLE IF NOT EXISTS sluice.telemetry_1h
(
    device_id String,
    metric String,
    window_start_ms UInt64,
    count UInt64,
    sum Float64,
    sum_squares Float64,
    min Float64,
    max Float64,
    first Float64,
    first_ts_ms UInt64,
    last Float64,
    last_ts_ms UInt64,
    window_start DateTime('UTC') DEFAULT toDateTime(intDiv(window_start_ms, 1000)),
    avg Float64 DEFAULT sum / count
)
ENGINE = ReplacingMergeTree(count)
PARTITION BY toYYYYMMDD(window_start)
ORDER BY (device_id, metric, window_start_ms)
