package io.sluice.processor;

import java.util.HashMap;
import java.util.Map;

import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.apache.kafka.streams.state.WindowStore;

import io.sluice.schemas.avro.TelemetryEvent;

/**
 * Drops readings already seen within the dedupe window: a reading is identified by its natural key
 * (device, metric, timestamp, sequence number when sent), so MQTT retransmissions, bridge retries and
 * replays of the raw topic count once. The check is per reading, not per event: a device may send
 * two publishes with the same timestamp and different metrics, and both are kept. An event whose
 * readings were all seen is dropped; one with some new readings goes on with only those.
 *
 * <p>The seen keys live in a window store (changelogged, so they survive a replica's crash under
 * exactly-once), one entry per event (device, ts, seq) holding the metrics seen, filed under the
 * event's own time so that a check is one point lookup; entries expire after the window: older
 * duplicates are left to ClickHouse, whose tables collapse them by the same natural key.
 */
final class ReadingDeduplicator implements FixedKeyProcessor<String, TelemetryEvent, TelemetryEvent> {

    static final String STORE = "seen-readings";

    private final PartitionActivity activity;
    private FixedKeyProcessorContext<String, TelemetryEvent> context;
    private WindowStore<String, String> seen;
    private Sensor duplicates;

    ReadingDeduplicator(PartitionActivity activity) {
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
        context.recordMetadata().ifPresent(source -> activity.record(source.partition(), event.getMetrics().size()));
        // One point lookup per event: the key holds the event's time, which is also where the store files it.
        String key = eventKey(event);
        String seenMetrics = seen.fetch(key, event.getTsMs());
        if (seenMetrics == null) {
            seen.put(key, String.join("\u0000", new java.util.TreeSet<>(event.getMetrics().keySet())), event.getTsMs());
            context.forward(record);
            return;
        }
        java.util.Set<String> known = new java.util.TreeSet<>(java.util.Arrays.asList(seenMetrics.split("\u0000")));
        Map<String, Double> fresh = new HashMap<>();
        for (Map.Entry<String, Double> reading : event.getMetrics().entrySet()) {
            if (known.add(reading.getKey())) {
                fresh.put(reading.getKey(), reading.getValue());
            } else {
                duplicates.record();
            }
        }
        if (!fresh.isEmpty()) {
            seen.put(key, String.join("\u0000", known), event.getTsMs());
            context.forward(record.withValue(TelemetryEvent.newBuilder(event).setMetrics(fresh).build()));
        }
    }

    /** Device, time and sequence number: the natural key of an event; a reading's adds its metric. */
    static String eventKey(TelemetryEvent event) {
        return event.getDeviceId() + '\u0000' + event.getTsMs() + '\u0000' + (event.getSeq() == null ? "" : event.getSeq().toString());
    }

}
