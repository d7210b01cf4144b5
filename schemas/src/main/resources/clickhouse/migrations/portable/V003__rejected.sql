-- Input Sluice could not accept (the dead-letter topic), one row per rejection, with its reason.
-- The payload is kept as text, cut to 4 KiB; the original bytes stay on the dead-letter topic.
-- The same rejection delivered twice collapses in SELECT ... FINAL.
CREATE TABLE IF NOT EXISTS sluice.rejected
(
    received_at_ms UInt64,
    source String,
    device_id String,
    mqtt_topic String,
    reason String,
    detail String,
    payload String,
    payload_size UInt32,
    received_at DateTime('UTC') DEFAULT toDateTime(intDiv(received_at_ms, 1000))
)
ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMMDD(received_at)
ORDER BY (device_id, received_at_ms, reason, cityHash64(payload))
