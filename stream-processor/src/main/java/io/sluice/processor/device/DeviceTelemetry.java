package io.sluice.processor.device;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

import io.sluice.processor.PartitionActivity;
import io.sluice.processor.PartitionClock;
import io.sluice.processor.anomaly.DetectionRules;
import io.sluice.processor.anomaly.DeviceSilence;
import io.sluice.processor.anomaly.Detector;
import io.sluice.processor.anomaly.MetricDetectors;
import io.sluice.processor.anomaly.Rules.MetricRules;
import io.sluice.processor.anomaly.Rules.Silence;
import io.sluice.processor.anomaly.Severity;
import io.sluice.processor.rollup.OpenWindows;
import io.sluice.processor.rollup.WindowPartial;
import io.sluice.schemas.avro.Anomaly;
import io.sluice.schemas.avro.TelemetryEvent;
import io.sluice.schemas.kafka.DeadLetters;
import io.sluice.schemas.kafka.Topics;

/**
 * Everything the processors derive from a device's events, in one pass over one state: per event, the
 * device's {@link DeviceState} is read once, its new readings (not seen before, not late) go into the
 * open minute windows and through the detectors, closed windows and anomalies are forwarded, and the
 * state is written once. Raw readings do not pass through here on their way to ClickHouse: the sink
 * reads them from the raw topic itself.
 *
 * <p>Once a second (wall clock), housekeeping closes the windows of devices that went quiet, raises
 * silences, and forgets devices quiet for the state's lifetime, on the partition's time
 * ({@link PartitionClock}), so a backlog or a replay is judged in the data's own time.
 *
 * <p>Everything keyed by what devices send is bounded ({@link DeviceLimits}): metrics per device, events
 * remembered per device, devices per task. What goes over a bound is counted and dead-lettered with its
 * reason ({@value #METRIC_LIMIT}, {@value #DEVICE_LIMIT}); the device's other readings and every other
 * device carry on.
 */
public final class DeviceTelemetry implements Processor<String, TelemetryEvent, String, DeviceOutput> {

    public static final String STORE = "device-state";
    public static final String METRIC_LIMIT = "METRIC_LIMIT";
    public static final String DEVICE_LIMIT = "DEVICE_LIMIT";

    private static final int RULES_CACHE = 10_000;
    private static final int RESOLVED_METRICS = 256;

    private final DetectionRules rules;
    private final DeviceLimits limits;
    private final PartitionActivity activity;
    private final Duration housekeeping;
    private final PartitionClock clock;
    private final DeviceIndex index = new DeviceIndex();
    private final Map<String, DeviceRules> rulesByDevice = new LinkedHashMap<>(1024, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, DeviceRules> eldest) {
            return size() > RULES_CACHE;
        }
    };
    private ProcessorContext<String, DeviceOutput> context;
    private KeyValueStore<String, DeviceState> store;
    private int partition;
    private Sensor duplicates;
    private Sensor late;
    private Sensor minutesEmitted;
    private Sensor hoursEmitted;
    private Sensor raised;
    private Sensor refused;
    private Sensor expired;

    public DeviceTelemetry(DetectionRules rules, DeviceLimits limits, PartitionActivity activity, Duration housekeeping) {
        this.rules = rules;
        this.limits = limits;
        this.activity = activity;
        this.housekeeping = housekeeping;
        this.clock = new PartitionClock(limits.idleMs(), housekeeping.toMillis());
    }

    public static Serde<?> stateSerde() {
        return Serdes.serdeFrom((topic, state) -> state == null ? null : ((DeviceState) state).encode(),
                (topic, bytes) -> bytes == null ? null : DeviceState.decode(bytes));
    }

    @Override
    public void init(ProcessorContext<String, DeviceOutput> context) {
        this.context = context;
        this.store = context.getStateStore(STORE);
        this.partition = context.taskId().partition();
        duplicates = sensor("dedupe", "duplicate-readings");
        late = sensor("rollups-60s", "late-readings");
        minutesEmitted = sensor("rollups-60s", "windows-emitted");
        hoursEmitted = sensor("rollups-3600s", "windows-emitted");
        raised = sensor("anomalies", "raised");
        refused = sensor("device-state", "refused-readings");
        expired = sensor("device-state", "expired-devices");
        long newest = Long.MIN_VALUE;
        try (KeyValueIterator<String, DeviceState> all = store.all()) {
            while (all.hasNext()) {
                KeyValue<String, DeviceState> device = all.next();
                index.update(device.key, device.value, silenceLimitMs(device.key, device.value));
                newest = Math.max(newest, device.value.lastReceivedAtMs);
            }
        }
        clock.start(newest, context.currentSystemTimeMs());
        context.schedule(housekeeping, PunctuationType.WALL_CLOCK_TIME, this::housekeep);
    }

    /** Kafka's rate-and-total sensors count recordings, not values: one recording per reading. */
    private static void count(Sensor sensor, int readings) {
        for (int i = 0; i < readings; i++) {
            sensor.record();
        }
    }

    private Sensor sensor(String group, String name) {
        return context.metrics().addRateTotalSensor("sluice", group, name, Sensor.RecordingLevel.INFO);
    }

    @Override
    public void process(Record<String, TelemetryEvent> record) {
        String deviceId = record.key();
        TelemetryEvent event = record.value();
        if (deviceId == null || event == null || !limits.replayRange().contains(record.timestamp())) {
            return;
        }
        activity.record(partition, event.getMetrics().size());
        clock.observe(event.getReceivedAtMs(), context.currentSystemTimeMs());
        DeviceState state = store.get(deviceId);
        boolean known = state != null;
        if (!known) {
            if (index.size() >= limits.maxDevices()) {
                refuse(event, DEVICE_LIMIT, "this processor task already keeps state for " + index.size()
                        + " devices (devices.max.per.task)", event.getMetrics().size());
                return;
            }
            state = new DeviceState();
        }
        long ts = event.getTsMs();
        boolean isLate = state.windows.isLate(ts, state.newestTsMs, limits.graceMs()) || ts <= state.seen.floorTs();
        if (isLate) {
            count(late, event.getMetrics().size());
        } else {
            // The device's time moves with this event: what it closes is closed before its readings take their slots.
            long newest = Math.max(state.newestTsMs, ts);
            long earliestEnd = state.windows.earliestOpenEndMs();
            if (earliestEnd != OpenWindows.NONE && earliestEnd + limits.graceMs() <= newest) {
                closeWindows(deviceId, state, newest - limits.graceMs());
            }
            if (!takeReadings(deviceId, event, state, newest) && ts <= state.newestTsMs) {
                return; // every reading was seen before (or refused) and the device's time did not move: nothing changed
            }
        }
        if (known) {
            // A silence the schedule did not see (a replay runs faster than it looks) is caught when the device speaks again.
            raiseIfSilent(deviceId, state, event.getReceivedAtMs());
            state.silence.learn(ts, state.newestTsMs);
        }
        state.newestTsMs = Math.max(state.newestTsMs, ts);
        state.lastReceivedAtMs = Math.max(state.lastReceivedAtMs, event.getReceivedAtMs());
        state.silence.spoke();
        state.seen.forget(state.windows.closedThroughMs(), limits.maxEvents());
        save(deviceId, state);
    }

    /**
     * Adds the event's new readings into the windows and the detectors; false when none was taken (all seen before,
     * or refused). {@code newestTs} is the device's time with this event: a metric idle since long before it gives up
     * its slot to a new one.
     */
    private boolean takeReadings(String deviceId, TelemetryEvent event, DeviceState state, long newestTs) {
        long ts = event.getTsMs();
        long seq = event.getSeq() == null ? ReadingLog.NO_SEQUENCE : event.getSeq();
        long seen = state.seen.seenMetrics(ts, seq);
        long taken = 0;
        List<String> overLimit = null;
        DeviceRules deviceRules = rulesOf(deviceId);
        for (Map.Entry<String, Double> reading : event.getMetrics().entrySet()) {
            String metric = reading.getKey();
            int slot = state.slotOf(metric);
            if (slot < 0) {
                slot = state.claimSlot(metric, limits.maxMetrics(), limits.ttlMs(), newestTs);
                if (slot < 0) {
                    (overLimit == null ? overLimit = new ArrayList<>() : overLimit).add(metric);
                    continue;
                }
            }
            long bit = 1L << slot;
            if (((seen | taken) & bit) != 0) {
                duplicates.record();
                continue;
            }
            taken |= bit;
            double value = reading.getValue();
            state.windows.add(slot, value, ts, event.getReceivedAtMs());
            MetricDetectors.judge(metric, ts, value, deviceRules.forMetric(metric), state.slots.get(slot).detectors,
                    (m, at, v, expected, score, detector, severity, detail) -> alert(anomaly(deviceId, m, at, v, expected, score,
                            detector, severity, detail, event.getReceivedAtMs()), at));
        }
        if (overLimit != null) {
            refuse(event, METRIC_LIMIT, "device already has " + limits.maxMetrics() + " metrics (device.max.metrics); refused: "
                    + String.join(", ", overLimit.subList(0, Math.min(overLimit.size(), 20))), overLimit.size());
        }
        if (taken == 0) {
            return false;
        }
        state.seen.record(ts, seq, taken);
        return true;
    }

    private void closeWindows(String deviceId, DeviceState state, long boundMs) {
        state.windows.closeThrough(boundMs, (window, windowMs) -> {
            (windowMs == OpenWindows.MINUTE_MS ? minutesEmitted : hoursEmitted).record();
            forwardRollup(deviceId, state, window, windowMs);
        });
    }

    private void forwardRollup(String deviceId, DeviceState state, WindowPartial window, long windowMs) {
        var rollup = window.toRollup(deviceId, state.metricOf(window.slot()), windowMs);
        context.forward(new Record<>(deviceId, new DeviceOutput.Rollup(rollup), rollup.getWindowStartMs() + windowMs - 1));
    }

    private void housekeep(long wallMs) {
        long rollupNow = clock.now(wallMs, true);
        long silenceNow = clock.now(wallMs, limits.silenceWallClock());
        for (String deviceId : index.due(rollupNow, silenceNow, limits.idleMs(), limits.graceMs(), limits.ttlMs())) {
            DeviceState state = store.get(deviceId);
            if (state == null) {
                index.remove(deviceId);
                continue;
            }
            long earliestEnd = state.windows.earliestOpenEndMs();
            if (earliestEnd != OpenWindows.NONE && rollupNow - state.lastReceivedAtMs >= limits.idleMs()
                    && earliestEnd + limits.graceMs() <= rollupNow) {
                closeWindows(deviceId, state, rollupNow - limits.graceMs());
                state.seen.forget(state.windows.closedThroughMs(), limits.maxEvents());
            }
            if (silenceNow != Long.MIN_VALUE) {
                raiseIfSilent(deviceId, state, silenceNow);
            }
            if (state.windows.earliestOpenEndMs() == OpenWindows.NONE && rollupNow - state.lastReceivedAtMs >= limits.ttlMs()) {
                store.delete(deviceId);
                index.remove(deviceId);
                expired.record();
            } else {
                save(deviceId, state);
            }
        }
    }

    private void save(String deviceId, DeviceState state) {
        store.put(deviceId, state);
        index.update(deviceId, state, silenceLimitMs(deviceId, state));
    }

    /** Raises the device's silence once if it has been quiet for longer than its limit by {@code now}. */
    private void raiseIfSilent(String deviceId, DeviceState state, long nowMs) {
        double quietMs = nowMs - state.lastReceivedAtMs;
        Silence rule = rulesOf(deviceId).silence();
        if (!state.silence.newlySilent(quietMs, rule)) {
            return;
        }
        double intervalMs = state.silence.intervalMs();
        alert(anomaly(deviceId, DeviceSilence.METRIC, state.newestTsMs, quietMs / 1000.0, intervalMs / 1000.0, quietMs / intervalMs,
                Detector.SILENCE, rule.severity(), String.format("no reading for %.0f s; it usually sends every %.1f s",
                        quietMs / 1000.0, intervalMs / 1000.0), state.lastReceivedAtMs), Math.max(state.newestTsMs, 0));
    }

    private double silenceLimitMs(String deviceId, DeviceState state) {
        return state.silence.limitMs(rulesOf(deviceId).silence());
    }

    private void alert(Anomaly anomaly, long timestamp) {
        raised.record();
        context.forward(new Record<>(anomaly.getDeviceId(), new DeviceOutput.Alert(anomaly), timestamp));
    }

    private Anomaly anomaly(String deviceId, String metric, long ts, double value, double expected, double score, Detector detector,
                            Severity severity, String detail, long receivedAtMs) {
        return Anomaly.newBuilder()
                .setDeviceId(deviceId).setMetric(metric).setTsMs(ts).setValue(value).setExpected(expected).setScore(score)
                .setDetector(detector.name()).setSeverity(severity.name()).setDetail(detail)
                .setDetectedAtMs(context.currentSystemTimeMs()).setReceivedAtMs(receivedAtMs)
                .build();
    }

    private void refuse(TelemetryEvent event, String reason, String detail, int readings) {
        count(refused, readings);
        context.forward(new Record<>(event.getDeviceId(), new DeviceOutput.Refused(DeadLetters.of("stream-processor",
                event.getDeviceId(), "", reason, detail, Topics.TELEMETRY_RAW.encode(event), event.getReceivedAtMs())),
                event.getReceivedAtMs()));
    }

    private DeviceRules rulesOf(String deviceId) {
        DeviceRules cached = rulesByDevice.get(deviceId);
        if (cached == null) {
            cached = new DeviceRules(deviceId, rules);
            rulesByDevice.put(deviceId, cached);
        }
        return cached;
    }

    /** One device's resolved rules: its silence rule, and each metric's rules as they are first asked for. */
    private static final class DeviceRules {
        private final String deviceId;
        private final DetectionRules rules;
        private final Silence silence;
        private final Map<String, MetricRules> metrics = new HashMap<>(8);

        DeviceRules(String deviceId, DetectionRules rules) {
            this.deviceId = deviceId;
            this.rules = rules;
            this.silence = rules.silenceFor(deviceId);
        }

        Silence silence() {
            return silence;
        }

        MetricRules forMetric(String metric) {
            MetricRules found = metrics.get(metric);
            if (found == null) {
                if (metrics.size() >= RESOLVED_METRICS) {
                    metrics.clear(); // a device rotating through metric names must not grow this
                }
                found = rules.forMetric(deviceId, metric);
                metrics.put(metric, found);
            }
            return found;
        }
    }
}
