package io.sluice.processor.anomaly;

import io.sluice.processor.anomaly.Rules.Silence;
import io.sluice.processor.state.StateReader;
import io.sluice.processor.state.StateWriter;

/**
 * What the silence detector remembers of a device: its usual interval between readings (an EWMA of its
 * own gaps) and whether its current silence was already raised. A device is silent once it has been
 * quiet for {@code intervals} times its usual interval, and at least {@code min_ms}; raised once per
 * silence, judged on the partition's time.
 */
public final class DeviceSilence {

    /** The metric an anomaly about the whole device carries. */
    public static final String METRIC = "*";

    private static final double INTERVAL_ALPHA = 0.2;

    private double intervalMs;
    private int intervals;
    private boolean raised;

    public DeviceSilence() {
    }

    /** A reading taken at {@code ts}, after the device's newest reading at {@code newestTs}: learns the gap. */
    public void learn(long ts, long newestTs) {
        if (newestTs != Long.MIN_VALUE && ts > newestTs) {
            double interval = ts - newestTs;
            intervalMs = intervals == 0 ? interval : intervalMs + INTERVAL_ALPHA * (interval - intervalMs);
            intervals++;
        }
    }

    /** The device spoke: a later silence is a new one. */
    public void spoke() {
        raised = false;
    }

    public boolean raised() {
        return raised;
    }

    public double intervalMs() {
        return intervalMs;
    }

    /** How long the device may be quiet before it is silent; infinite while silence is off or warming up. */
    public double limitMs(Silence rule) {
        if (!rule.enabled() || intervals < rule.warmup()) {
            return Double.POSITIVE_INFINITY;
        }
        return Math.max(rule.intervals() * intervalMs, rule.minMs());
    }

    /** Whether a device quiet for {@code quietMs} is newly silent; marks it raised when it is. */
    public boolean newlySilent(double quietMs, Silence rule) {
        if (raised || quietMs <= limitMs(rule)) {
            return false;
        }
        raised = true;
        return true;
    }

    public void write(StateWriter out) {
        out.writeDouble(intervalMs).writeVarLong(intervals).writeByte(raised ? 1 : 0);
    }

    public static DeviceSilence read(StateReader in) {
        DeviceSilence silence = new DeviceSilence();
        silence.intervalMs = in.readDouble();
        silence.intervals = in.readVarInt();
        silence.raised = in.readByte() == 1;
        return silence;
    }
}
