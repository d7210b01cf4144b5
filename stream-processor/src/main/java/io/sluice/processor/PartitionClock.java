package io.sluice.processor;

/**
 * The time of one task (one input partition) as its processors see it: the newest bridge receive
 * time among the records it processed, so that a replica catching up on a backlog, or a replay of
 * last week, judges "how long ago" in the data's own time rather than the wall clock's. When the
 * partition has been quiet for {@code idleMs} of wall time, and the owner allows it, the wall clock
 * takes over, so that a partition whose devices all went quiet still moves on.
 */
public final class PartitionClock {

    private final long idleMs;
    private long newestReceivedAtMs = Long.MIN_VALUE;
    private long lastRecordWallMs;

    public PartitionClock(long idleMs, long wallMs) {
        this.idleMs = idleMs;
        this.lastRecordWallMs = wallMs;
    }

    public void observe(long receivedAtMs, long wallMs) {
        newestReceivedAtMs = Math.max(newestReceivedAtMs, receivedAtMs);
        lastRecordWallMs = wallMs;
    }

    /** The partition's time now; {@link Long#MIN_VALUE} while it has none (no record yet, wall clock not allowed). */
    public long now(long wallMs, boolean wallClockWhenIdle) {
        if (wallClockWhenIdle && wallMs - lastRecordWallMs >= idleMs) {
            return Math.max(newestReceivedAtMs, wallMs);
        }
        return newestReceivedAtMs;
    }
}
