package io.sluice.processor.anomaly;

import java.nio.ByteBuffer;

import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/**
 * What the detectors remember of one device's metric between readings: the EWMA baseline, the last
 * reading, the current flat run and each debounced detector's recent hits. Kept in a changelogged
 * store, so a replica taking over a partition carries on where the last one stopped.
 */
final class MetricState {

    static final int THRESHOLD = 0;
    static final int ZSCORE = 1;
    static final int RATE = 2;

    long baselineCount;
    double mean;
    double variance;
    int consecutiveZHits;
    boolean hasLast;
    double lastValue;
    long lastTsMs;
    double runValue;
    int runLength;
    boolean runRaised;
    final int[] hits = new int[3];
    final boolean[] active = new boolean[3];

    static final Serde<MetricState> SERDE = Serdes.serdeFrom(
            (topic, state) -> state == null ? null : state.encode(),
            (topic, bytes) -> bytes == null ? null : decode(bytes));

    private byte[] encode() {
        ByteBuffer out = ByteBuffer.allocate(1 + 8 + 8 + 8 + 4 + 1 + 8 + 8 + 8 + 4 + 1 + 3 * 4 + 3);
        out.put((byte) 1);
        out.putLong(baselineCount).putDouble(mean).putDouble(variance).putInt(consecutiveZHits);
        out.put((byte) (hasLast ? 1 : 0)).putDouble(lastValue).putLong(lastTsMs);
        out.putDouble(runValue).putInt(runLength).put((byte) (runRaised ? 1 : 0));
        for (int i = 0; i < 3; i++) {
            out.putInt(hits[i]);
        }
        for (int i = 0; i < 3; i++) {
            out.put((byte) (active[i] ? 1 : 0));
        }
        return out.array();
    }

    private static MetricState decode(byte[] bytes) {
        ByteBuffer in = ByteBuffer.wrap(bytes);
        in.get(); // format version
        MetricState state = new MetricState();
        state.baselineCount = in.getLong();
        state.mean = in.getDouble();
        state.variance = in.getDouble();
        state.consecutiveZHits = in.getInt();
        state.hasLast = in.get() == 1;
        state.lastValue = in.getDouble();
        state.lastTsMs = in.getLong();
        state.runValue = in.getDouble();
        state.runLength = in.getInt();
        state.runRaised = in.get() == 1;
        for (int i = 0; i < 3; i++) {
            state.hits[i] = in.getInt();
        }
        for (int i = 0; i < 3; i++) {
            state.active[i] = in.get() == 1;
        }
        return state;
    }
}
