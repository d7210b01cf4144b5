package io.sluice.processor.anomaly;

import java.nio.ByteBuffer;
import java.util.Set;

import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

import io.sluice.processor.anomaly.Rules.DisconnectSpike;
import io.sluice.schemas.avro.Anomaly;
import io.sluice.schemas.avro.DeviceSession;

/**
 * The fleet-level detector: abnormal disconnections (a lost connection, a keep-alive timeout, a
 * protocol error; not a device saying goodbye, a takeover or a bridge shutting down) counted per
 * bucket of session time, against an EWMA baseline of earlier buckets. A bucket is a spike when its
 * count reaches {@code min_disconnects} and exceeds the mean by {@code std_devs} standard deviations
 * (at least the Poisson spread, the square root of the mean). Raised once per bucket, as soon as the
 * count crosses the line, without waiting for the bucket to end. Spiking buckets do not move the
 * baseline. The whole fleet is one key, fed through a one-partition repartition topic.
 */
public final class FleetDisconnectSpike implements Processor<String, DeviceSession, String, Anomaly> {

    public static final String STORE = "fleet-disconnect-baseline";
    public static final String FLEET = "*fleet*";
    public static final String METRIC = "disconnects";

    /** Disconnect reasons that say nothing is wrong. */
    static final Set<String> EXPECTED_REASONS = Set.of("NORMAL", "TAKEOVER", "SERVER_SHUTDOWN");

    private static final int MAX_EMPTY_BUCKETS = 1_000;

    private final DisconnectSpike rule;
    private ProcessorContext<String, Anomaly> context;
    private KeyValueStore<String, Baseline> store;

    public FleetDisconnectSpike(DisconnectSpike rule) {
        this.rule = rule;
    }

    public static Serde<?> baselineSerde() {
        return Baseline.SERDE;
    }

    /** True for a session event this detector counts. */
    public static boolean isAbnormalDisconnect(DeviceSession session) {
        return "DISCONNECTED".equals(session.getEvent()) && !EXPECTED_REASONS.contains(session.getReason());
    }

    @Override
    public void init(ProcessorContext<String, Anomaly> context) {
        this.context = context;
        this.store = context.getStateStore(STORE);
    }

    @Override
    public void process(Record<String, DeviceSession> record) {
        if (!rule.enabled()) {
            return;
        }
        long bucket = Math.floorDiv(record.value().getTsMs(), rule.bucketMs()) * rule.bucketMs();
        Baseline baseline = store.get(FLEET);
        if (baseline == null) {
            baseline = new Baseline();
            baseline.bucketStartMs = bucket;
        }
        if (bucket > baseline.bucketStartMs) {
            baseline.closeBucket(rule);
            baseline.raised = false;
            long empty = Math.min((bucket - baseline.bucketStartMs) / rule.bucketMs() - 1, MAX_EMPTY_BUCKETS);
            for (long i = 0; i < empty; i++) {
                baseline.count = 0;
                baseline.closeBucket(rule);
            }
            baseline.bucketStartMs = bucket;
            baseline.count = 0;
            baseline.raised = false;
        }
        // An event from an earlier bucket (bridges' clocks and batches interleave) counts in the current one.
        baseline.count++;
        double spread = Math.max(Math.sqrt(baseline.variance), Math.sqrt(Math.max(baseline.mean, 1.0)));
        double line = baseline.mean + rule.stdDevs() * spread;
        if (!baseline.raised && baseline.buckets >= rule.warmupBuckets() && baseline.count >= rule.minDisconnects()
                && baseline.count > line) {
            baseline.raised = true;
            context.forward(new Record<>(FLEET, Anomaly.newBuilder()
                    .setDeviceId(FLEET)
                    .setMetric(METRIC)
                    .setTsMs(baseline.bucketStartMs)
                    .setValue(baseline.count)
                    .setExpected(baseline.mean)
                    .setScore((baseline.count - baseline.mean) / spread)
                    .setDetector(Detector.DISCONNECT_SPIKE.name())
                    .setSeverity(rule.severity().name())
                    .setDetail(String.format("%d abnormal disconnections in the %d s from %s; the baseline is %.1f",
                            baseline.count, rule.bucketMs() / 1000, java.time.Instant.ofEpochMilli(baseline.bucketStartMs),
                            baseline.mean))
                    .setDetectedAtMs(context.currentSystemTimeMs())
                    .setReceivedAtMs(record.value().getTsMs())
                    .build(), record.timestamp()));
        }
        store.put(FLEET, baseline);
    }

    /** The current bucket and the baseline of the buckets before it. */
    static final class Baseline {
        long bucketStartMs;
        long count;
        boolean raised;
        double mean;
        double variance;
        long buckets;

        void closeBucket(DisconnectSpike rule) {
            if (!raised) {
                double alpha = Math.max(rule.alpha(), 1.0 / (buckets + 1));
                double diff = count - mean;
                double increment = alpha * diff;
                mean += increment;
                variance = (1 - alpha) * (variance + diff * increment);
                buckets++;
            }
        }

        static final Serde<Baseline> SERDE = Serdes.serdeFrom(
                (topic, b) -> b == null ? null : ByteBuffer.allocate(1 + 8 + 8 + 1 + 8 + 8 + 8).put((byte) 1)
                        .putLong(b.bucketStartMs).putLong(b.count).put((byte) (b.raised ? 1 : 0)).putDouble(b.mean)
                        .putDouble(b.variance).putLong(b.buckets).array(),
                (topic, bytes) -> {
                    if (bytes == null) {
                        return null;
                    }
                    ByteBuffer in = ByteBuffer.wrap(bytes);
                    in.get();
                    Baseline b = new Baseline();
                    b.bucketStartMs = in.getLong();
                    b.count = in.getLong();
                    b.raised = in.get() == 1;
                    b.mean = in.getDouble();
                    b.variance = in.getDouble();
                    b.buckets = in.getLong();
                    return b;
                });
    }
}
