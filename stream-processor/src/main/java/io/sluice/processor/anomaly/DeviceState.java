package io.sluice.processor.anomaly;

import java.nio.ByteBuffer;

import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/** What the silence detector remembers of a device: when it last spoke and its usual interval (EWMA). */
final class DeviceState {

    long lastTsMs;
    long lastReceivedAtMs;
    double intervalMs;
    int intervals;
    boolean silenceRaised;

    static final Serde<DeviceState> SERDE = Serdes.serdeFrom(
            (topic, state) -> state == null ? null : ByteBuffer.allocate(1 + 8 + 8 + 8 + 4 + 1).put((byte) 1)
                    .putLong(state.lastTsMs).putLong(state.lastReceivedAtMs).putDouble(state.intervalMs)
                    .putInt(state.intervals).put((byte) (state.silenceRaised ? 1 : 0)).array(),
            (topic, bytes) -> {
                if (bytes == null) {
                    return null;
                }
                ByteBuffer in = ByteBuffer.wrap(bytes);
                in.get();
                DeviceState state = new DeviceState();
                state.lastTsMs = in.getLong();
                state.lastReceivedAtMs = in.getLong();
                state.intervalMs = in.getDouble();
                state.intervals = in.getInt();
                state.silenceRaised = in.get() == 1;
                return state;
            });
}
