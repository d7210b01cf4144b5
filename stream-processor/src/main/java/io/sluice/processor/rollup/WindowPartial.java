package io.sluice.processor.rollup;

import io.sluice.processor.state.StateReader;
import io.sluice.processor.state.StateWriter;
import io.sluice.schemas.avro.TelemetryRollup;

/**
 * One metric's figures over one open window: count, sum, sum of squares, min, max, first and last (with
 * their times) and the newest receive time. Readings add into it; closed minutes add into their hour.
 */
public final class WindowPartial {

    final int slot;
    final long startMs;
    long count;
    double sum;
    double sumSquares;
    double min;
    double max;
    double first;
    long firstTsMs;
    double last;
    long lastTsMs;
    long maxReceivedAtMs;

    WindowPartial(int slot, long startMs) {
        this.slot = slot;
        this.startMs = startMs;
    }

    /** The device's metric slot these figures belong to. */
    public int slot() {
        return slot;
    }

    void add(double value, long ts, long receivedAtMs) {
        if (count == 0) {
            min = max = first = last = value;
            firstTsMs = lastTsMs = ts;
        } else {
            min = Math.min(min, value);
            max = Math.max(max, value);
            if (ts < firstTsMs) {
                first = value;
                firstTsMs = ts;
            }
            if (ts >= lastTsMs) {
                last = value;
                lastTsMs = ts;
            }
        }
        count++;
        sum += value;
        sumSquares += value * value;
        maxReceivedAtMs = Math.max(maxReceivedAtMs, receivedAtMs);
    }

    /** Adds a closed window that lies inside this one (a minute into its hour): the figures combine exactly. */
    void merge(WindowPartial inner) {
        if (count == 0) {
            min = inner.min;
            max = inner.max;
            first = inner.first;
            firstTsMs = inner.firstTsMs;
            last = inner.last;
            lastTsMs = inner.lastTsMs;
        } else {
            min = Math.min(min, inner.min);
            max = Math.max(max, inner.max);
            if (inner.firstTsMs < firstTsMs) {
                first = inner.first;
                firstTsMs = inner.firstTsMs;
            }
            if (inner.lastTsMs >= lastTsMs) {
                last = inner.last;
                lastTsMs = inner.lastTsMs;
            }
        }
        count += inner.count;
        sum += inner.sum;
        sumSquares += inner.sumSquares;
        maxReceivedAtMs = Math.max(maxReceivedAtMs, inner.maxReceivedAtMs);
    }

    public TelemetryRollup toRollup(String deviceId, String metric, long windowMs) {
        return TelemetryRollup.newBuilder()
                .setDeviceId(deviceId).setMetric(metric).setWindowStartMs(startMs).setWindowMs(windowMs)
                .setCount(count).setSum(sum).setSumSquares(sumSquares).setMin(min).setMax(max)
                .setFirst(first).setFirstTsMs(firstTsMs).setLast(last).setLastTsMs(lastTsMs)
                .setMaxReceivedAtMs(maxReceivedAtMs)
                .build();
    }

    void write(StateWriter out) {
        out.writeVarLong(slot).writeLong(startMs).writeVarLong(count);
        out.writeDouble(sum).writeDouble(sumSquares).writeDouble(min).writeDouble(max).writeDouble(first).writeDouble(last);
        out.writeSignedVarLong(firstTsMs - startMs).writeSignedVarLong(lastTsMs - startMs).writeSignedVarLong(maxReceivedAtMs - startMs);
    }

    static WindowPartial read(StateReader in) {
        WindowPartial p = new WindowPartial(in.readVarInt(), in.readLong());
        p.count = in.readVarLong();
        p.sum = in.readDouble();
        p.sumSquares = in.readDouble();
        p.min = in.readDouble();
        p.max = in.readDouble();
        p.first = in.readDouble();
        p.last = in.readDouble();
        p.firstTsMs = p.startMs + in.readSignedVarLong();
        p.lastTsMs = p.startMs + in.readSignedVarLong();
        p.maxReceivedAtMs = p.startMs + in.readSignedVarLong();
        return p;
    }
}
