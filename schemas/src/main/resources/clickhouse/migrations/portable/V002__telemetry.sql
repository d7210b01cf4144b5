-- One row per reading: a device, a metric, the time it was taken.
-- ReplacingMergeTree collapses rows with the same natural key (device_id, metric, ts_ms, seq):
-- retransmissions, replays and crash-restarts leave one row in SELECT ... FINAL.
-- seq is -1 when the device sent none. ts_ms is the exact time; ts (second precision) is
-- derived from it, because DateTime64 does not exist on ClickHouse 18.16.
CREATE TABLE IF NOT EXISTS sluice.telemetry
(
    device_id String,
    metric String,
    value Float64,
    ts_ms UInt64,
    seq Int64,
    received_at_ms UInt64,
    ts DateTime('UTC') DEFAULT toDateTime(intDiv(ts_ms, 1000)),
    received_at DateTime('UTC') DEFAULT toDateTime(intDiv(received_at_ms, 1000))
)
ENGINE = ReplacingMergeTree(received_at_ms)
PARTITION BY toYYYYMMDD(ts)
ORDER BY (device_id, metric, ts_ms, seq)
