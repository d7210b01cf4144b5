package io.sluice.processor.anomaly;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

import io.sluice.processor.PartitionClock;
import io.sluice.processor.anomaly.Rules.Debounce;
import io.sluice.processor.anomaly.Rules.MetricRules;
import io.sluice.processor.anomaly.Rules.Silence;
import io.sluice.schemas.avro.Anomaly;
import io.sluice.schemas.avro.TelemetryEvent;

/**
 * Judges each device's readings, metric by metric, as they arrive (after dedupe), and each device's
 * silences on a wall-clock schedule. Per reading, in this order:
 * <ul>
 *   <li>{@link Detector#THRESHOLD}: outside [min, max];</li>
 *   <li>{@link Detector#ZSCORE}: more than {@code threshold} rolling standard deviations from the
 *       rolling mean (EWMA of mean and variance); judged once {@code warmup} readings built the
 *       baseline; readings it flags do not move the baseline, and a flagged run as long as the warm-up
 *       is taken as a new normal and rebuilds it;</li>
 *   <li>{@link Detector#RATE_OF_CHANGE}: faster than {@code max_per_second} since the previous reading;</li>
 *   <li>{@link Detector#STUCK}: the same value (within a tolerance) for {@code readings} in a row.</li>
 * </ul>
 * The first three pass through an M-of-N debounce: an anomaly is raised when m of the last n
 * readings hit, once, and the detector re-arms when n readings in a row are clean. Stuck raises once
 * per flat run; silence once per silence.
 */
public final class AnomalyDetector implements Processor<String, TelemetryEvent, String, Anomaly> {

    public static final String METRICS_STORE = "anomaly-metric-state";
    public static final String DEVICES_STORE = "anomaly-device-state";
    public static final String SILENCE_METRIC = "*";

    /** Where the device store keeps the partition's newest receive time (no device id is empty). */
    private static final String PARTITION_KEY = "";
    private static final double INTERVAL_ALPHA = 0.2;
    private static final int RULES_CACHE = 50_000;

    private final DetectionRules rules;
    private final Duration silenceCheck;
    private final PartitionClock clock;
    private final boolean wallClockWhenIdle;
    private final Map<String, MetricRules> metricRules = lru();
    private final Map<String, Silence> silenceRules = lru();
    private ProcessorContext<String, Anomaly> context;
    private KeyValueStore<String, MetricState> metrics;
    private KeyValueStore<String, DeviceState> devices;
    private Sensor raised;

    /**
     * @param silenceCheck      how often silences are looked for (wall clock)
     * @param idleMs            quiet time after which the partition's clock follows the wall clock
     * @param wallClockWhenIdle false for a replay: silences are then judged in the data's time only
     */
    public AnomalyDetector(DetectionRules rules, Duration silenceCheck, long idleMs, boolean wallClockWhenIdle) {
        this.rules = rules;
        this.silenceCheck = silenceCheck;
        this.clock = new PartitionClock(idleMs, silenceCheck.toMillis());
        this.wallClockWhenIdle = wallClockWhenIdle;
    }

    public static org.apache.kafka.common.serialization.Serde<?> metricStateSerde() {
        return MetricState.SERDE;
    }

    public static org.apache.kafka.common.serialization.Serde<?> deviceStateSerde() {
        return DeviceState.SERDE;
    }

    @Override
    public void init(ProcessorContext<String, Anomaly> context) {
        this.context = context;
        this.metrics = context.getStateStore(METRICS_STORE);
        this.devices = context.getStateStore(DEVICES_STORE);
        this.raised = context.metrics().addRateTotalSensor("sluice", "anomalies", "raised", Sensor.RecordingLevel.INFO);
        DeviceState remembered = devices.get(PARTITION_KEY);
        clock.start(remembered == null ? Long.MIN_VALUE : remembered.lastReceivedAtMs, context.currentSystemTimeMs());
        context.schedule(silenceCheck, PunctuationType.WALL_CLOCK_TIME, this::findSilences);
    }

    @Override
    public void process(Record<String, TelemetryEvent> record) {
        TelemetryEvent event = record.value();
        String deviceId = event.getDeviceId();
        DeviceState partition = new DeviceState();
        partition.lastReceivedAtMs = clock.observe(event.getReceivedAtMs(), context.currentSystemTimeMs());
        devices.put(PARTITION_KEY, partition);
        for (Map.Entry<String, Double> reading : event.getMetrics().entrySet()) {
            String key = deviceId + '\u0000' + reading.getKey();
            MetricRules rulesOf = metricRules.computeIfAbsent(key, k -> rules.forMetric(deviceId, reading.getKey()));
            MetricState state = metrics.get(key);
            if (state == null) {
                state = new MetricState();
            }
            judge(event, reading.getKey(), reading.getValue(), rulesOf, state);
            metrics.put(key, state);
        }
        DeviceState device = devices.get(deviceId);
        if (device == null) {
            device = new DeviceState();
        } else {
            // A silence the schedule did not see (a replay runs faster than it looks) is caught when the device speaks again.
            raiseIfSilent(deviceId, device, event.getReceivedAtMs());
            updateInterval(device, event);
        }
        device.lastTsMs = Math.max(device.lastTsMs, event.getTsMs());
        device.lastReceivedAtMs = Math.max(device.lastReceivedAtMs, event.getReceivedAtMs());
        device.silenceRaised = false;
        devices.put(deviceId, device);
    }

    private static void updateInterval(DeviceState device, TelemetryEvent event) {
        if (event.getTsMs() > device.lastTsMs) {
            double interval = event.getTsMs() - device.lastTsMs;
            device.intervalMs = device.intervals == 0 ? interval
                    : device.intervalMs + INTERVAL_ALPHA * (interval - device.intervalMs);
            device.intervals++;
        }
    }

    private void judge(TelemetryEvent event, String metric, double value, MetricRules rulesOf, MetricState state) {
        long ts = event.getTsMs();
        Rules.Threshold threshold = rulesOf.threshold();
        if (threshold.enabled()) {
            boolean hit = value < threshold.min() || value > threshold.max();
            double bound = value < threshold.min() ? threshold.min() : threshold.max();
            if (debounced(state, MetricState.THRESHOLD, hit, threshold.debounce())) {
                raise(event, metric, ts, value, bound, Math.abs(value - bound), Detector.THRESHOLD, threshold.severity(),
                        metric + " " + value + (value < threshold.min() ? " below min " : " above max ") + bound);
            }
        }

        Rules.ZScore zscore = rulesOf.zscore();
        if (zscore.enabled()) {
            boolean hit = false;
            double z = 0;
            if (state.baselineCount >= zscore.warmup()) {
                double std = Math.max(Math.sqrt(state.variance), zscore.minStd());
                z = (value - state.mean) / std;
                hit = Math.abs(z) > zscore.threshold();
            }
            if (debounced(state, MetricState.ZSCORE, hit, zscore.debounce())) {
                raise(event, metric, ts, value, state.mean, z, Detector.ZSCORE, zscore.severity(),
                        String.format("%s %.4g is %.1f standard deviations from its rolling mean %.4g", metric, value, z,
                                state.mean));
            }
            if (!hit) {
                state.consecutiveZHits = 0;
                double alpha = Math.max(zscore.alpha(), 1.0 / (state.baselineCount + 1));
                double diff = value - state.mean;
                double increment = alpha * diff;
                state.mean += increment;
                state.variance = (1 - alpha) * (state.variance + diff * increment);
                state.baselineCount++;
            } else if (++state.consecutiveZHits >= zscore.warmup()) {
                // A level that lasts as long as the warm-up is the new normal: learn it again from here.
                state.baselineCount = 1;
                state.mean = value;
                state.variance = 0;
                state.consecutiveZHits = 0;
            }
        }

        Rules.RateOfChange rate = rulesOf.rateOfChange();
        if (rate.enabled()) {
            boolean hit = false;
            double perSecond = 0;
            if (state.hasLast && ts > state.lastTsMs) {
                perSecond = (value - state.lastValue) / ((ts - state.lastTsMs) / 1000.0);
                hit = Math.abs(perSecond) > rate.maxPerSecond();
            }
            if (debounced(state, MetricState.RATE, hit, rate.debounce())) {
                raise(event, metric, ts, value, state.lastValue, Math.abs(perSecond) / rate.maxPerSecond(),
                        Detector.RATE_OF_CHANGE, rate.severity(),
                        String.format("%s changed %.4g per second, the limit is %.4g", metric, perSecond, rate.maxPerSecond()));
            }
        }

        Rules.Stuck stuck = rulesOf.stuck();
        if (stuck.enabled()) {
            if (state.runLength > 0 && Math.abs(value - state.runValue) <= stuck.tolerance()) {
                state.runLength++;
            } else {
                state.runValue = value;
                state.runLength = 1;
                state.runRaised = false;
            }
            if (state.runLength >= stuck.readings() && !state.runRaised) {
                state.runRaised = true;
                raise(event, metric, ts, value, state.runValue, state.runLength, Detector.STUCK, stuck.severity(),
                        metric + " has read " + value + " for " + state.runLength + " readings in a row");
            }
        }

        if (!state.hasLast || ts >= state.lastTsMs) {
            state.hasLast = true;
            state.lastValue = value;
            state.lastTsMs = ts;
        }
    }

    /** Shifts one reading's outcome into the detector's last n; true when this reading makes it m of n (once per episode). */
    static boolean debounced(MetricState state, int detector, boolean hit, Debounce debounce) {
        int mask = debounce.n() == 32 ? -1 : (1 << debounce.n()) - 1;
        state.hits[detector] = ((state.hits[detector] << 1) | (hit ? 1 : 0)) & mask;
        int count = Integer.bitCount(state.hits[detector]);
        if (!state.active[detector] && count >= debounce.m()) {
            state.active[detector] = true;
            return true;
        }
        if (state.active[detector] && count == 0) {
            state.active[detector] = false;
        }
        return false;
    }

    private void findSilences(long wallMs) {
        long now = clock.now(wallMs, wallClockWhenIdle);
        if (now == Long.MIN_VALUE) {
            return;
        }
        List<KeyValue<String, DeviceState>> candidates = new ArrayList<>();
        try (KeyValueIterator<String, DeviceState> all = devices.all()) {
            while (all.hasNext()) {
                KeyValue<String, DeviceState> entry = all.next();
                if (!entry.value.silenceRaised && !entry.key.equals(PARTITION_KEY) && silenceLimitMs(entry.key, entry.value) < now
                        - entry.value.lastReceivedAtMs) {
                    candidates.add(entry);
                }
            }
        }
        for (KeyValue<String, DeviceState> entry : candidates) {
            raiseIfSilent(entry.key, entry.value, now);
            devices.put(entry.key, entry.value);
        }
    }

    /** How long the device may be quiet before it is silent; infinite while silence is off or warming up. */
    private double silenceLimitMs(String deviceId, DeviceState device) {
        Silence silence = silenceRules.computeIfAbsent(deviceId, rules::silenceFor);
        if (!silence.enabled() || device.intervals < silence.warmup()) {
            return Double.POSITIVE_INFINITY;
        }
        return Math.max(silence.intervals() * device.intervalMs, silence.minMs());
    }

    /** Raises the device's silence once if it has been quiet for longer than its limit by {@code now}. */
    private void raiseIfSilent(String deviceId, DeviceState device, long now) {
        double quietMs = now - device.lastReceivedAtMs;
        if (device.silenceRaised || quietMs <= silenceLimitMs(deviceId, device)) {
            return;
        }
        device.silenceRaised = true;
        Silence silence = silenceRules.get(deviceId);
        Anomaly anomaly = anomaly(deviceId, SILENCE_METRIC, device.lastTsMs, quietMs / 1000.0, device.intervalMs / 1000.0,
                quietMs / device.intervalMs, Detector.SILENCE, silence.severity(),
                String.format("no reading for %.0f s; it usually sends every %.1f s", quietMs / 1000.0, device.intervalMs / 1000.0),
                device.lastReceivedAtMs);
        raised.record();
        context.forward(new Record<>(deviceId, anomaly, Math.max(device.lastTsMs, 0)));
    }

    private void raise(TelemetryEvent event, String metric, long ts, double value, double expected, double score,
                       Detector detector, Severity severity, String detail) {
        raised.record();
        context.forward(new Record<>(event.getDeviceId(), anomaly(event.getDeviceId(), metric, ts, value, expected, score,
                detector, severity, detail, event.getReceivedAtMs()), ts));
    }

    private Anomaly anomaly(String deviceId, String metric, long ts, double value, double expected, double score,
                            Detector detector, Severity severity, String detail, long receivedAtMs) {
        return Anomaly.newBuilder()
                .setDeviceId(deviceId)
                .setMetric(metric)
                .setTsMs(ts)
                .setValue(value)
                .setExpected(expected)
                .setScore(score)
                .setDetector(detector.name())
                .setSeverity(severity.name())
                .setDetail(detail)
                .setDetectedAtMs(context.currentSystemTimeMs())
                .setReceivedAtMs(receivedAtMs)
                .build();
    }

    private static <V> Map<String, V> lru() {
        return new LinkedHashMap<>(1024, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, V> eldest) {
                return size() > RULES_CACHE;
            }
        };
    }
}
