-- Rejected input with its reason, as the bridges and the processors dead-lettered it (current dialect).
-- Times are epoch milliseconds, as every writer sends them; received_at is the same instant as DateTime64(3).
-- Retention by TTL over whole parts (the sink sets the days from retention.days.rejected); daily partitions, as
-- the retention is short.
CREATE TABLE IF NOT EXISTS sluice.rejected
(
    received_at_ms UInt64 CODEC(DoubleDelta, ZSTD(3)),
    source LowCardinality(String),
    device_id String CODEC(ZSTD(3)),
    mqtt_topic String CODEC(ZSTD(3)),
    reason LowCardinality(String),
    detail String CODEC(ZSTD(3)),
    payload String CODEC(ZSTD(3)),
    payload_size UInt32 CODEC(T64, ZSTD(1)),
    received_at DateTime64(3, 'UTC') ALIAS fromUnixTimestamp64Milli(toInt64(received_at_ms), 'UTC')
)
ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMMDD(toDateTime(intDiv(received_at_ms, 1000), 'UTC'))
ORDER BY (device_id, received_at_ms, reason, cityHash64(payload))
TTL toDateTime(intDiv(received_at_ms, 1000), 'UTC') + INTERVAL 30 DAY
SETTINGS ttl_only_drop_parts = 1
