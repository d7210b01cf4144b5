-- Device connections opening, closing and refused (the sessions topic), one row per event.
-- The same event delivered twice collapses in SELECT ... FINAL.
CREATE TABLE IF NOT EXISTS sluice.device_sessions
(
    ts_ms UInt64,
    device_id String,
    client_id String,
    bridge_id String,
    event String,
    reason String,
    address String,
    transport String,
    protocol_version UInt8,
    keep_alive_s UInt16,
    connected_ms UInt64,
    ts DateTime('UTC') DEFAULT toDateTime(intDiv(ts_ms, 1000))
)
ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMMDD(ts)
ORDER BY (device_id, ts_ms, event, client_id, bridge_id)
