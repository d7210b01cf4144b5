package io.sluice.processor.rollup;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

import io.sluice.processor.PartitionClock;
import io.sluice.schemas.avro.TelemetryEvent;
import io.sluice.schemas.avro.TelemetryRollup;

/**
 * Tumbling-window rollups per device × metric (count, sum, sum of squares, min, max, first, last),
 * emitted once per window when it closes, so that ClickHouse gets one row per window.
 *
 * <p>Windows follow each device's own event time (its readings' ts, in order, since a device's
 * readings share a partition): a window closes when the device's newest reading is {@code grace}
 * past its end. A reading for a closed window is late: it stays in the raw table but not in the
 * rollup, and is counted ({@code late-readings}). A device that goes quiet would hold its last window
 * open, so on a wall-clock schedule windows are also closed once the partition's time
 * ({@link PartitionClock}) is {@code grace} past their end and the device has been quiet for
 * {@code idle}. A device sending old readings in a burst (a store-and-forward upload) is not quiet,
 * so its windows stay open for it.
 *
 * <p>No repartitioning: the record key stays the device id, and open windows live in a store keyed
 * by device, window start and metric, so one prefix scan finds a device's windows in time order.
 */
public final class WindowRollups implements Processor<String, TelemetryEvent, String, TelemetryRollup> {

    /** Where the clocks store keeps the partition's newest receive time (no device id is empty). */
    private static final String PARTITION_KEY = "";

    private final long sizeMs;
    private final long graceMs;
    private final long idleMs;
    private final Duration check;
    private final String windowsStore;
    private final String clocksStore;
    private final PartitionClock partitionClock;
    private ProcessorContext<String, TelemetryRollup> context;
    private KeyValueStore<String, TelemetryRollup> windows;
    private KeyValueStore<String, RollupClock> clocks;
    private Sensor late;
    private Sensor emitted;

    public WindowRollups(Duration size, Duration grace, Duration idle, Duration check, String windowsStore, String clocksStore) {
        this.sizeMs = size.toMillis();
        this.graceMs = grace.toMillis();
        this.idleMs = idle.toMillis();
        this.check = check;
        this.windowsStore = windowsStore;
        this.clocksStore = clocksStore;
        this.partitionClock = new PartitionClock(idleMs, check.toMillis());
    }

    public static org.apache.kafka.common.serialization.Serde<?> clockSerde() {
        return RollupClock.SERDE;
    }

    @Override
    public void init(ProcessorContext<String, TelemetryRollup> context) {
        this.context = context;
        this.windows = context.getStateStore(windowsStore);
        this.clocks = context.getStateStore(clocksStore);
        String window = (sizeMs / 1000) + "s";
        this.late = context.metrics().addRateTotalSensor("sluice", "rollups-" + window, "late-readings", Sensor.RecordingLevel.INFO);
        this.emitted = context.metrics().addRateTotalSensor("sluice", "rollups-" + window, "windows-emitted",
                Sensor.RecordingLevel.INFO);
        RollupClock remembered = clocks.get(PARTITION_KEY);
        partitionClock.start(remembered == null ? Long.MIN_VALUE : remembered.lastReceivedAtMs, context.currentSystemTimeMs());
        context.schedule(check, PunctuationType.WALL_CLOCK_TIME, this::closeQuietDevices);
    }

    @Override
    public void process(Record<String, TelemetryEvent> record) {
        TelemetryEvent event = record.value();
        String deviceId = event.getDeviceId();
        rememberPartitionTime(partitionClock.observe(event.getReceivedAtMs(), context.currentSystemTimeMs()));
        RollupClock clock = clocks.get(deviceId);
        if (clock == null) {
            clock = new RollupClock();
        }
        long start = Math.floorDiv(event.getTsMs(), sizeMs) * sizeMs;
        long end = start + sizeMs;
        boolean isLate = end <= clock.closedThroughMs || (clock.maxTsMs != Long.MIN_VALUE && end + graceMs <= clock.maxTsMs);
        if (isLate) {
            for (int i = 0; i < event.getMetrics().size(); i++) {
                late.record();
            }
        } else {
            for (Map.Entry<String, Double> reading : event.getMetrics().entrySet()) {
                String key = windowKey(deviceId, start, reading.getKey());
                windows.put(key, add(windows.get(key), event, reading.getKey(), reading.getValue(), start));
            }
            clock.earliestOpenStartMs = Math.min(clock.earliestOpenStartMs, start);
        }
        clock.maxTsMs = Math.max(clock.maxTsMs, event.getTsMs());
        clock.lastReceivedAtMs = Math.max(clock.lastReceivedAtMs, event.getReceivedAtMs());
        if (clock.earliestOpenStartMs != RollupClock.NONE && clock.earliestOpenStartMs + sizeMs + graceMs <= clock.maxTsMs) {
            closeThrough(deviceId, clock, clock.maxTsMs - graceMs);
        }
        clocks.put(deviceId, clock);
    }

    private void rememberPartitionTime(long newestReceivedAtMs) {
        RollupClock partition = new RollupClock();
        partition.lastReceivedAtMs = newestReceivedAtMs;
        clocks.put(PARTITION_KEY, partition);
    }

    private TelemetryRollup add(TelemetryRollup rollup, TelemetryEvent event, String metric, double value, long start) {
        long ts = event.getTsMs();
        if (rollup == null) {
            return TelemetryRollup.newBuilder()
                    .setDeviceId(event.getDeviceId()).setMetric(metric).setWindowStartMs(start).setWindowMs(sizeMs)
                    .setCount(1).setSum(value).setSumSquares(value * value).setMin(value).setMax(value)
                    .setFirst(value).setFirstTsMs(ts).setLast(value).setLastTsMs(ts)
                    .setMaxReceivedAtMs(event.getReceivedAtMs())
                    .build();
        }
        rollup.setCount(rollup.getCount() + 1);
        rollup.setSum(rollup.getSum() + value);
        rollup.setSumSquares(rollup.getSumSquares() + value * value);
        rollup.setMin(Math.min(rollup.getMin(), value));
        rollup.setMax(Math.max(rollup.getMax(), value));
        if (ts < rollup.getFirstTsMs()) {
            rollup.setFirst(value);
            rollup.setFirstTsMs(ts);
        }
        if (ts >= rollup.getLastTsMs()) {
            rollup.setLast(value);
            rollup.setLastTsMs(ts);
        }
        rollup.setMaxReceivedAtMs(Math.max(rollup.getMaxReceivedAtMs(), event.getReceivedAtMs()));
        return rollup;
    }

    /** Emits and forgets the device's windows that end at or before {@code boundMs}. */
    private void closeThrough(String deviceId, RollupClock clock, long boundMs) {
        List<KeyValue<String, TelemetryRollup>> closing = new ArrayList<>();
        long nextOpen = RollupClock.NONE;
        try (KeyValueIterator<String, TelemetryRollup> open = windows.prefixScan(deviceId + '\u0000', new StringSerializer())) {
            while (open.hasNext()) {
                KeyValue<String, TelemetryRollup> window = open.next();
                if (window.value.getWindowStartMs() + sizeMs <= boundMs) {
                    closing.add(window);
                } else {
                    nextOpen = window.value.getWindowStartMs();
                    break;
                }
            }
        }
        for (KeyValue<String, TelemetryRollup> window : closing) {
            windows.delete(window.key);
            emitted.record();
            context.forward(new Record<>(deviceId, window.value, window.value.getWindowStartMs() + sizeMs - 1));
        }
        clock.earliestOpenStartMs = nextOpen;
        clock.closedThroughMs = Math.max(clock.closedThroughMs, Math.floorDiv(boundMs, sizeMs) * sizeMs);
    }

    private void closeQuietDevices(long wallMs) {
        long now = partitionClock.now(wallMs, true);
        if (now == Long.MIN_VALUE) {
            return;
        }
        List<KeyValue<String, RollupClock>> quiet = new ArrayList<>();
        try (KeyValueIterator<String, RollupClock> all = clocks.all()) {
            while (all.hasNext()) {
                KeyValue<String, RollupClock> entry = all.next();
                RollupClock clock = entry.value;
                if (!entry.key.equals(PARTITION_KEY) && clock.earliestOpenStartMs != RollupClock.NONE && now - clock.lastReceivedAtMs >= idleMs
                        && clock.earliestOpenStartMs + sizeMs + graceMs <= now) {
                    quiet.add(entry);
                }
            }
        }
        for (KeyValue<String, RollupClock> entry : quiet) {
            closeThrough(entry.key, entry.value, now - graceMs);
            clocks.put(entry.key, entry.value);
        }
    }

    /** Device, then window start (zero-padded, so that keys sort in time order), then metric. */
    static String windowKey(String deviceId, long windowStartMs, String metric) {
        return deviceId + '\u0000' + String.format("%015d", windowStartMs) + '\u0000' + metric;
    }
}
