package io.sluice.processor.rollup;

import java.nio.ByteBuffer;

import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/**
 * One device's event time as the rollups of one window size see it: its newest reading's ts, when it
 * last spoke, how far its windows are closed, and where its earliest open window starts.
 */
final class RollupClock {

    static final long NONE = Long.MAX_VALUE;

    long maxTsMs = Long.MIN_VALUE;
    long lastReceivedAtMs;
    /** Every window ending at or before this is closed; a reading for one of them is late. */
    long closedThroughMs = Long.MIN_VALUE;
    long earliestOpenStartMs = NONE;

    static final Serde<RollupClock> SERDE = Serdes.serdeFrom(
            (topic, c) -> c == null ? null : ByteBuffer.allocate(1 + 4 * 8).put((byte) 1).putLong(c.maxTsMs)
                    .putLong(c.lastReceivedAtMs).putLong(c.closedThroughMs).putLong(c.earliestOpenStartMs).array(),
            (topic, bytes) -> {
                if (bytes == null) {
                    return null;
                }
                ByteBuffer in = ByteBuffer.wrap(bytes);
                in.get();
                RollupClock c = new RollupClock();
                c.maxTsMs = in.getLong();
                c.lastReceivedAtMs = in.getLong();
                c.closedThroughMs = in.getLong();
                c.earliestOpenStartMs = in.getLong();
                return c;
            });
}
