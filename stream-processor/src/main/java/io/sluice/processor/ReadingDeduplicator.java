package io.sluice.processor;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.apache.kafka.streams.state.WindowStore;
import org.apache.kafka.streams.state.WindowStoreIterator;

import io.sluice.schemas.avro.TelemetryEvent;

/**
 * Drops readings already seen within the dedupe window: a reading is identified by its natural key
 * (device, metric, timestamp, sequence number when sent), so MQTT retransmissions, bridge retries and
 * replays of the raw topic count once. The check is per reading, not per event: a device may send
 * two publishes with the same timestamp and different metrics, and both are kept. An event whose
 * readings were all seen is dropped; one with some new readings goes on with only those.
 *
 * <p>The seen keys live in a window store (changelogged, so they survive a replica's crash under
 * exactly-once), expiring after the window: older duplicates are left to ClickHouse, whose tables
 * collapse them by the same natural key.
 */
final class ReadingDeduplicator implements FixedKeyProcessor<String, TelemetryEvent, TelemetryEvent> {

    static final String STORE = "seen-readings";

    private final Duration window;
    private final PartitionActivity activity;
    private FixedKeyProcessorContext<String, TelemetryEvent> context;
    private WindowStore<String, Long> seen;
    private Sensor duplicates;

    ReadingDeduplicator(Duration window, PartitionActivity activity) {
        this.window = window;
        this.activity = activity;
    }

    @Override
    public void init(FixedKeyProcessorContext<String, TelemetryEvent> context) {
        this.context = context;
        this.seen = context.getStateStore(STORE);
        this.duplicates = context.metrics().addRateTotalSensor("sluice", "dedupe", "duplicate-readings",
                org.apache.kafka.common.metrics.Sensor.RecordingLevel.INFO);
    }

    @Override
    public void process(FixedKeyRecord<String, TelemetryEvent> record) {
        TelemetryEvent event = record.value();
        long now = record.timestamp();
        context.recordMetadata().ifPresent(source -> activity.record(source.partition(), event.getMetrics().size()));
        Map<String, Double> fresh = new HashMap<>();
        for (Map.Entry<String, Double> reading : event.getMetrics().entrySet()) {
            String key = naturalKey(event, reading.getKey());
            if (seenRecently(key, now)) {
                duplicates.record();
            } else {
                seen.put(key, event.getReceivedAtMs(), now);
                fresh.put(reading.getKey(), reading.getValue());
            }
        }
        if (fresh.size() == event.getMetrics().size()) {
            context.forward(record);
        } else if (!fresh.isEmpty()) {
            context.forward(record.withValue(TelemetryEvent.newBuilder(event).setMetrics(fresh).build()));
        }
    }

    private boolean seenRecently(String key, long now) {
        try (WindowStoreIterator<Long> found = seen.fetch(key, now - window.toMillis(), now + window.toMillis())) {
            return found.hasNext();
        }
    }

    /** The natural key of one reading; the device id is the record key too, so a device's keys stay in its task. */
    static String naturalKey(TelemetryEvent event, String metric) {
        return event.getDeviceId() + '\u0000' + metric + '\u0000' + event.getTsMs() + '\u0000'
                + (event.getSeq() == null ? "" : event.getSeq().toString());
    }
}
