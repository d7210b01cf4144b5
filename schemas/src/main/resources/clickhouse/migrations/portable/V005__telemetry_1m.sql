-- Per device × metric rollups over tumbling windows, one row per window: sluice.telemetry_1m for
-- minutes and sluice.telemetry_1h for hours, both computed by the stream processors (exactly once,
-- emitted when the window closes after its grace period) and written by the sink.
-- The version is the reading count: a window written twice (a sink retry, a replay) collapses to one
-- row in SELECT ... FINAL, and when a replay rebuilt only part of a window the fuller row wins.
-- avg and stddev derive from sum, sum_squares and count, so rows combine exactly into longer spans.
CREATE TABLE IF NOT EXISTS sluice.telemetry_1m
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
