-- Anomalies the stream processors raised, one row per episode. The natural key is
-- (device_id, metric, detector, ts_ms): the same anomaly written twice (a sink retry, a replay)
-- collapses in SELECT ... FINAL.
CREATE TABLE IF NOT EXISTS sluice.anomalies
(
    device_id String,
    metric String,
    ts_ms UInt64,
    detector String,
    severity String,
    value Float64,
    expected Float64,
    score Float64,
    detail String,
    detected_at_ms UInt64,
    received_at_ms UInt64,
    ts DateTime('UTC') DEFAULT toDateTime(intDiv(ts_ms, 1000))
)
ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMMDD(ts)
ORDER BY (device_id, metric, detector, ts_ms)
