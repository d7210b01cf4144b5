-- Connections opened, closed and refused, one row per event (current dialect). Ids repeat across events:
-- LowCardinality. Weekly partitions for the 90-day retention (TTL over whole parts; retention.days.device_sessions).
CREATE TABLE IF NOT EXISTS sluice.device_sessions
(
    ts_ms UInt64 CODEC(DoubleDelta, ZSTD(3)),
    device_id LowCardinality(String),
    client_id LowCardinality(String),
    bridge_id LowCardinality(String),
    event LowCardinality(String),
    reason LowCardinality(String),
    address String CODEC(ZSTD(3)),
    transport LowCardinality(String),
    protocol_version UInt8,
    keep_alive_s UInt16 CODEC(T64, ZSTD(1)),
    connected_ms UInt64 CODEC(T64, ZSTD(3)),
    ts DateTime64(3, 'UTC') ALIAS fromUnixTimestamp64Milli(toInt64(ts_ms), 'UTC')
)
ENGINE = ReplacingMergeTree
PARTITION BY toMonday(toDateTime(intDiv(ts_ms, 1000), 'UTC'))
ORDER BY (device_id, ts_ms, event, client_id, bridge_id)
TTL toDateTime(intDiv(ts_ms, 1000), 'UTC') + INTERVAL 90 DAY
SETTINGS ttl_only_drop_parts = 1
