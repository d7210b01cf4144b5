package io.sluice.processor.device;

import java.util.ArrayList;
import java.util.List;

import io.sluice.processor.anomaly.DeviceSilence;
import io.sluice.processor.anomaly.MetricState;
import io.sluice.processor.rollup.OpenWindows;
import io.sluice.processor.state.StateReader;
import io.sluice.processor.state.StateWriter;

/**
 * Everything the processors remember of one device, in one value of one store, read and written once
 * per event: its clock (newest reading, last heard from), its metrics (a slot each, with the detectors'
 * state), its open rollup windows, its silence, and the events it sent recently (dedupe). Encoded
 * compactly ({@link #encode}), version first, so that the format can evolve.
 *
 * <p>Bounded: at most {@code maxMetrics} metric slots (a slot idle for the state's time-to-live is
 * reused), a bounded reading log, and open windows no older than the grace period.
 */
final class DeviceState {

    /**
     * 2: each metric's detector state carries its {@code MetricBaseline}; 3: the baseline carries the spike's ratios; 4:
     * and its profile's days of the week. Formats 1 to 3 are still read (what they lack starts afresh).
     */
    private static final int FORMAT = 4;

    /** One metric the device sends: its name and what the detectors know of it. */
    static final class MetricSlot {
        final String name;
        final MetricState detectors;

        MetricSlot(String name, MetricState detectors) {
            this.name = name;
            this.detectors = detectors;
        }
    }

    long newestTsMs = Long.MIN_VALUE;
    long lastReceivedAtMs = Long.MIN_VALUE;
    final List<MetricSlot> slots;
    final OpenWindows windows;
    final DeviceSilence silence;
    final ReadingLog seen;

    DeviceState() {
        this(new ArrayList<>(4), new OpenWindows(), new DeviceSilence(), new ReadingLog());
    }

    private DeviceState(List<MetricSlot> slots, OpenWindows windows, DeviceSilence silence, ReadingLog seen) {
        this.slots = slots;
        this.windows = windows;
        this.silence = silence;
        this.seen = seen;
    }

    /** The slot of a metric, or -1. */
    int slotOf(String metric) {
        for (int i = 0; i < slots.size(); i++) {
            MetricSlot slot = slots.get(i);
            if (slot != null && slot.name.equals(metric)) {
                return i;
            }
        }
        return -1;
    }

    /**
     * A slot for a metric not seen before: a free one, a new one while under {@code maxMetrics}, or one
     * whose metric has been idle for {@code idleMs} of the device's time ({@code nowTs}) and has no open
     * window. Returns -1 when the device is at its limit.
     */
    int claimSlot(String metric, int maxMetrics, long idleMs, long nowTs) {
        int free = slots.indexOf(null);
        if (free < 0 && slots.size() < maxMetrics) {
            slots.add(null);
            free = slots.size() - 1;
        }
        if (free < 0) {
            for (int i = 0; i < slots.size(); i++) {
                long last = slots.get(i).detectors.lastTsMs();
                if (last != Long.MIN_VALUE && nowTs - last >= idleMs && !windows.hasOpen(i)) {
                    seen.forgetSlot(i);
                    free = i;
                    break;
                }
            }
        }
        if (free >= 0) {
            slots.set(free, new MetricSlot(metric, new MetricState()));
        }
        return free;
    }

    String metricOf(int slot) {
        return slots.get(slot).name;
    }

    byte[] encode() {
        StateWriter out = new StateWriter(256);
        out.writeByte(FORMAT);
        out.writeLong(newestTsMs).writeLong(lastReceivedAtMs);
        out.writeVarLong(slots.size());
        for (MetricSlot slot : slots) {
            if (slot == null) {
                out.writeByte(0);
            } else {
                out.writeByte(1).writeString(slot.name);
                slot.detectors.write(out);
            }
        }
        windows.write(out);
        silence.write(out);
        seen.write(out);
        return out.toByteArray();
    }

    static DeviceState decode(byte[] bytes) {
        StateReader in = new StateReader(bytes);
        int format = in.readByte();
        if (format < 1 || format > FORMAT) {
            throw new IllegalStateException("device state in format " + format + ", this processor reads format " + FORMAT);
        }
        long newestTsMs = in.readLong();
        long lastReceivedAtMs = in.readLong();
        int count = in.readVarInt();
        List<MetricSlot> slots = new ArrayList<>(count + 1);
        for (int i = 0; i < count; i++) {
            slots.add(in.readByte() == 0 ? null : new MetricSlot(in.readString(), MetricState.read(in, format)));
        }
        DeviceState state = new DeviceState(slots, OpenWindows.read(in), DeviceSilence.read(in), ReadingLog.read(in));
        state.newestTsMs = newestTsMs;
        state.lastReceivedAtMs = lastReceivedAtMs;
        return state;
    }
}
