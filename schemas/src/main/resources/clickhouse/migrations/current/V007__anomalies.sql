-- One row per anomaly episode, explained: detector, expected value, score (current dialect). Monthly partitions for
-- the one-year retention (TTL over whole parts; retention.days.anomalies).
CREATE TABLE IF NOT EXISTS sluice.anomalies
(
    device_id LowCardinality(String),
    metric LowCardinality(String),
    ts_ms UInt64 CODEC(DoubleDelta, ZSTD(3)),
    detector LowCardinality(String),
    severity LowCardinality(String),
    value Float64 CODEC(ZSTD(3)),
    expected Float64 CODEC(ZSTD(3)),
    score Float64 CODEC(ZSTD(3)),
    detail String CODEC(ZSTD(3)),
    detected_at_ms UInt64 CODEC(DoubleDelta, ZSTD(3)),
    received_at_ms UInt64 CODEC(DoubleDelta, ZSTD(3)),
    ts DateTime64(3, 'UTC') ALIAS fromUnixTimestamp64Milli(toInt64(ts_ms), 'UTC')
)
ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMM(toDateTime(intDiv(ts_ms, 1000), 'UTC'))
ORDER BY (device_id, metric, detector, ts_ms)
TTL toDateTime(intDiv(ts_ms, 1000), 'UTC') + INTERVAL 365 DAY
SETTINGS ttl_only_drop_parts = 1
