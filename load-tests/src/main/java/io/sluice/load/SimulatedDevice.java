package io.sluice.load;

import java.util.BitSet;
import java.util.concurrent.CompletableFuture;

import io.netty.channel.Channel;

/** One simulated device: its connection and what it has in flight. Touched only on its driver's event loop. */
final class SimulatedDevice {

    /** Why its connection ended: not refused, refused while its credentials may still be loading, refused. */
    enum Refusal { NONE, IN_GRACE, REFUSED }

    final String id;
    final String topic;
    final DeviceSignal signal;
    final BitSet acked = new BitSet();
    /** Publishes awaiting their acknowledgement, oldest first (a ring): packet id, sequence number, start time. */
    final int[] pendingIds;
    final long[] pendingSeqs;
    final long[] pendingStarts;
    final long[] pendingTimes;
    int pendingHead;
    int inFlight;
    /** The time of every reading sent, by sequence number: kept only for SenML, whose readings are known by their time. */
    long[] readingTimes = new long[0];
    Channel channel;
    boolean connected;
    Refusal refusal = Refusal.NONE;
    /** What the connect phase waits on for this device, and which attempt is the current one. */
    CompletableFuture<Void> answer;
    int attempts;
    boolean dirty;
    int nextPacketId = 1;
    long nextSeq;
    long lastTsMs;
    long lastWriteNanos;

    SimulatedDevice(String id, int index, int inFlightLimit) {
        this.id = id;
        this.topic = "devices/" + id + "/telemetry";
        this.signal = new DeviceSignal(index);
        this.pendingIds = new int[inFlightLimit];
        this.pendingSeqs = new long[inFlightLimit];
        this.pendingStarts = new long[inFlightLimit];
        this.pendingTimes = new long[inFlightLimit];
    }

    void remember(long seq, long tsMs) {
        if (seq >= readingTimes.length) {
            readingTimes = java.util.Arrays.copyOf(readingTimes, (int) Math.max(seq + 1, Math.max(64, readingTimes.length * 2L)));
        }
        readingTimes[(int) seq] = tsMs;
    }
}
