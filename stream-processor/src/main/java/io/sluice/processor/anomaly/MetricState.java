package io.sluice.processor.anomaly;

import io.sluice.processor.state.StateReader;
import io.sluice.processor.state.StateWriter;

/**
 * What the detectors remember of one device's metric between readings: the z-score's EWMA, the last
 * reading, the current flat run, each debounced detector's recent hits and the {@link MetricBaseline}. Part of the
 * device's state: 41 bytes encoded before any reading, about 560 once a week's profile is learned, never more than 690.
 */
public final class MetricState {

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
    /** The longest flat run seen while the metric varied, fading with the baseline's memory; and how often it changed. */
    double longestRun;
    long changes;
    final int[] hits = new int[3];
    final boolean[] active = new boolean[3];
    MetricBaseline baseline = new MetricBaseline();

    public MetricState() {
    }

    /** How many bytes {@link #write} takes. */
    public int encodedSize() {
        StateWriter out = new StateWriter(512);
        write(out);
        return out.toByteArray().length;
    }

    /** When the metric was last read (its newest reading's time), or {@link Long#MIN_VALUE}. */
    public long lastTsMs() {
        return hasLast ? lastTsMs : Long.MIN_VALUE;
    }

    public void write(StateWriter out) {
        int flags = (hasLast ? 1 : 0) | (runRaised ? 2 : 0) | (active[0] ? 4 : 0) | (active[1] ? 8 : 0) | (active[2] ? 16 : 0);
        out.writeByte(flags);
        out.writeVarLong(baselineCount).writeDouble(mean).writeDouble(variance).writeVarLong(consecutiveZHits);
        if (hasLast) {
            out.writeDouble(lastValue).writeLong(lastTsMs);
        }
        out.writeDouble(runValue).writeVarLong(runLength);
        for (int i = 0; i < 3; i++) {
            out.writeVarLong(hits[i] & 0xFFFFFFFFL);
        }
        out.writeDouble(longestRun).writeVarLong(changes);
        baseline.write(out);
    }

    /**
     * Reads what {@link #write} wrote in device state {@code format}: 1 is the layout of processors before the baselines,
     * whose metrics then learn their baselines afresh; 2 the one before the spike's ratios, 3 the one before the profile's
     * days of the week, which then start afresh.
     */
    public static MetricState read(StateReader in, int format) {
        MetricState state = new MetricState();
        int flags = in.readByte();
        state.hasLast = (flags & 1) != 0;
        state.runRaised = (flags & 2) != 0;
        for (int i = 0; i < 3; i++) {
            state.active[i] = (flags & (4 << i)) != 0;
        }
        state.baselineCount = in.readVarLong();
        state.mean = in.readDouble();
        state.variance = in.readDouble();
        state.consecutiveZHits = in.readVarInt();
        if (state.hasLast) {
            state.lastValue = in.readDouble();
            state.lastTsMs = in.readLong();
        }
        state.runValue = in.readDouble();
        state.runLength = in.readVarInt();
        for (int i = 0; i < 3; i++) {
            state.hits[i] = (int) in.readVarLong();
        }
        if (format >= 2) {
            state.longestRun = in.readDouble();
            state.changes = in.readVarLong();
            state.baseline = MetricBaseline.read(in, format);
        }
        return state;
    }
}
