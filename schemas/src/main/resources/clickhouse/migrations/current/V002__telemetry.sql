-- One row per reading (current dialect): a device, a metric, the time it was taken. ReplacingMergeTree collapses rows
-- with the same natural key (device_id, metric, ts_ms, seq): retransmissions, replays and crash-restarts leave one row
-- in SELECT ... FINAL, as in the portable table. The columns and their names are the portable table's, so the sink's
-- inserts and every query run on both; what differs is what a current server can do with them:
--   - ids are LowCardinality (a few thousand devices, a handful of metrics per part);
--   - times are stored once, as the epoch milliseconds every writer sends, with the codecs measured best for them
--     (./sluice bench storage); ts and received_at are the same instants typed DateTime64(3, 'UTC'), at no storage cost;
--   - each column's codec was chosen by measurement on realistic readings (docs/querying.md): Delta then ZSTD for the
--     times and for the values (a sensor's consecutive readings share their high bytes), DoubleDelta for seq;
--   - compressed blocks of at least 256 KiB (min_compress_block_size): a message's four readings share ts, seq and
--     received_at, which ZSTD finds only when a device's metrics meet in one block (2.3 instead of 2.9 bytes per
--     reading in ./sluice bench storage, no query slower for it);
--   - retention is a TTL over whole parts (ttl_only_drop_parts: no row rewriting), its days set by the sink from
--     retention.days.telemetry; daily partitions, as the retention is short.
CREATE TABLE IF NOT EXISTS sluice.telemetry
(
    device_id LowCardinality(String),
    metric LowCardinality(String),
    value Float64 CODEC(Delta, ZSTD(3)),
    ts_ms UInt64 CODEC(Delta, ZSTD(3)),
    seq Int64 CODEC(DoubleDelta, ZSTD(1)),
    received_at_ms UInt64 CODEC(Delta, ZSTD(3)),
    ts DateTime64(3, 'UTC') ALIAS fromUnixTimestamp64Milli(toInt64(ts_ms), 'UTC'),
    received_at DateTime64(3, 'UTC') ALIAS fromUnixTimestamp64Milli(toInt64(received_at_ms), 'UTC')
)
ENGINE = ReplacingMergeTree(received_at_ms)
PARTITION BY toYYYYMMDD(toDateTime(intDiv(ts_ms, 1000), 'UTC'))
ORDER BY (device_id, metric, ts_ms, seq)
TTL toDateTime(intDiv(ts_ms, 1000), 'UTC') + INTERVAL 30 DAY
SETTINGS ttl_only_drop_parts = 1, min_compress_block_size = 262144
