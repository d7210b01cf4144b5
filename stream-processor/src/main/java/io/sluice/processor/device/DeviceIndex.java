package io.sluice.processor.device;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.sluice.processor.rollup.OpenWindows;

/**
 * A task's devices as its once-a-second housekeeping needs them, in memory: when each was last heard
 * from, when its earliest open window ends, how long it may stay quiet. Housekeeping walks this instead
 * of decoding every device's state, and reads a state only when there is something to do: close a
 * quiet device's windows, raise its silence, or forget it. Rebuilt from the store when the task starts.
 */
final class DeviceIndex {

    /** What housekeeping knows of one device. */
    static final class Entry {
        long lastReceivedAtMs;
        long earliestOpenEndMs;
        double silenceLimitMs;
        boolean silenceRaised;
    }

    private final Map<String, Entry> devices = new HashMap<>();

    int size() {
        return devices.size();
    }

    boolean contains(String deviceId) {
        return devices.containsKey(deviceId);
    }

    void update(String deviceId, DeviceState state, double silenceLimitMs) {
        Entry entry = devices.computeIfAbsent(deviceId, id -> new Entry());
        entry.lastReceivedAtMs = state.lastReceivedAtMs;
        entry.earliestOpenEndMs = state.windows.earliestOpenEndMs();
        entry.silenceLimitMs = silenceLimitMs;
        entry.silenceRaised = state.silence.raised();
    }

    void remove(String deviceId) {
        devices.remove(deviceId);
    }

    /**
     * The devices with something due at the partition's time for windows ({@code rollupNowMs}) and for
     * silences ({@code silenceNowMs}), each {@link Long#MIN_VALUE} while the partition has no time yet:
     * a quiet device's windows to close, a silence to raise, or a device quiet for the state's lifetime.
     */
    List<String> due(long rollupNowMs, long silenceNowMs, long idleMs, long graceMs, long ttlMs) {
        List<String> due = new ArrayList<>();
        for (Map.Entry<String, Entry> device : devices.entrySet()) {
            Entry e = device.getValue();
            boolean closeWindows = rollupNowMs != Long.MIN_VALUE && e.earliestOpenEndMs != OpenWindows.NONE
                    && rollupNowMs - e.lastReceivedAtMs >= idleMs && e.earliestOpenEndMs + graceMs <= rollupNowMs;
            boolean silent = silenceNowMs != Long.MIN_VALUE && !e.silenceRaised && e.silenceLimitMs < silenceNowMs - e.lastReceivedAtMs;
            boolean expired = rollupNowMs != Long.MIN_VALUE && e.earliestOpenEndMs == OpenWindows.NONE
                    && rollupNowMs - e.lastReceivedAtMs >= ttlMs;
            if (closeWindows || silent || expired) {
                due.add(device.getKey());
            }
        }
        return due;
    }
}
