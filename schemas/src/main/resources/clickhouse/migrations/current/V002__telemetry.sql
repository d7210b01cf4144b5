-- One row per reading (current dialect): a device, a metric, the time it was taken. ReplacingMergeTree collapses rows
-- with the same natural key (metric, device_id, ts_ms, seq): retransmissions, replays and crash-restarts leave one row
-- in SELECT ... FINAL, as in the portable table. The columns and their names are the portable table's, so the sink's
-- inserts and every query run on both; what differs is what a current server can do with them:
--   - the sort key starts with the metric (a handful) before the device (thousands), as ClickHouse advises: the docs'
--     fleet-wide queries (one metric, every device) read that metric's granules only, a quarter of the table, and
--     one device's queries still find it by the key's prefix (./sluice bench storage: no query slower than the
--     portable table's);
--   - ids are LowCardinality (a few thousand devices, a handful of metrics per part);
--   - times are stored once, as the epoch milliseconds every writer sends; ts and received_at are the same instants
--     typed DateTime64(3, 'UTC'), at no storage cost;
--   - each column's codec was chosen by a sweep over realistic readings (docs/benchmarks.md): Delta, T64 then ZSTD(1)
--     for the times (a clock ticking about once a second, a network delay of a few ms), ZSTD(3) alone for the values
--     (quantised readings of one metric side by side share their bytes), DoubleDelta for seq;
--   - compressed blocks of at least 256 KiB (min_compress_block_size), which ZSTD compresses better than small ones;
--   - retention is a TTL over whole parts (ttl_only_drop_parts: no row rewriting), its days set by the sink from
--     retention.days.telemetry; daily partitions, as the retention is short.
CREATE TABLE IF NOT EXISTS sluice.telemetry
(
    device_id LowCardinality(String),
    metric LowCardinality(String),
    value Float64 CODEC(ZSTD(3)),
    ts_ms UInt64 CODEC(Delta, T64, ZSTD(1)),
    seq Int64 CODEC(DoubleDelta, ZSTD(1)),
    received_at_ms UInt64 CODEC(Delta, T64, ZSTD(1)),
    ts DateTime64(3, 'UTC') ALIAS fromUnixTimestamp64Milli(toInt64(ts_ms), 'UTC'),
    received_at DateTime64(3, 'UTC') ALIAS fromUnixTimestamp64Milli(toInt64(received_at_ms), 'UTC')
)
ENGINE = ReplacingMergeTree(received_at_ms)
PARTITION BY toYYYYMMDD(toDateTime(intDiv(ts_ms, 1000), 'UTC'))
ORDER BY (metric, device_id, ts_ms, seq)
TTL toDateTime(intDiv(ts_ms, 1000), 'UTC') + INTERVAL 30 DAY
SETTINGS ttl_only_drop_parts = 1, min_compress_block_size = 262144
