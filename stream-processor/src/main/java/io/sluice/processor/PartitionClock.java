package io.sluice.processor;

/**
 * The time of one task (one input partition) as its processors see it: the newest bridge receive
 * time among the records it processed, so that a replica catching up on a backlog, or a replay of
 * last week, judges "how long ago" in the data's own time rather than the wall clock's.
 *
 * <p>When the partition has been quiet for {@code idleMs} of wall time, and the owner allows it, its
 * time flows on from the newest record at the wall clock's pace, so that a partition whose devices
 * all went quiet still moves on. It flows on from the data, never jumps to the wall clock: a backfill
 * of old data that pauses for a few seconds moves a few seconds, not to today. The owner keeps the
 * newest receive time in its changelogged store and hands it to {@link #start} when its task starts
 * (after restoration), so a replica taking a partition over goes on from the same time.
 *
 * <p>Quiet means quiet while the task was running: when its punctuations stop for a while (a stalled
 * thread, a long rebalance or commit, a slow start), the records may only be waiting in Kafka, so the
 * quiet period starts again when the task runs again. Otherwise a processor that stalled for longer
 * than {@code idleMs} would judge every device silent before reading the readings waiting for it.
 */
public final class PartitionClock {

    /** Punctuations this many times their interval apart mean the task was not running in between. */
    private static final int STALL_INTERVALS = 5;

    private final long idleMs;
    private final long stallMs;
    private long newestReceivedAtMs = Long.MIN_VALUE;
    private long lastRecordWallMs;
    private long lastAskedWallMs = Long.MIN_VALUE;

    /**
     * @param idleMs  quiet time after which the partition's time flows at the wall clock's pace
     * @param askedMs how often the owner asks for {@link #now} (its punctuation interval)
     */
    public PartitionClock(long idleMs, long askedMs) {
        this.idleMs = idleMs;
        this.stallMs = STALL_INTERVALS * askedMs;
    }

    /** When the task starts processing: the newest receive time its store remembers, or {@link Long#MIN_VALUE}. */
    public void start(long rememberedNewestMs, long wallMs) {
        newestReceivedAtMs = rememberedNewestMs;
        lastRecordWallMs = wallMs;
        lastAskedWallMs = wallMs;
    }

    /** A record received by the bridge at {@code receivedAtMs} was processed; returns the newest receive time. */
    public long observe(long receivedAtMs, long wallMs) {
        newestReceivedAtMs = Math.max(newestReceivedAtMs, receivedAtMs);
        lastRecordWallMs = wallMs;
        return newestReceivedAtMs;
    }

    /** The partition's time now; {@link Long#MIN_VALUE} while it has none (no record yet). */
    public long now(long wallMs, boolean flowWhenIdle) {
        if (lastAskedWallMs != Long.MIN_VALUE && wallMs - lastAskedWallMs > stallMs) {
            lastRecordWallMs = Math.max(lastRecordWallMs, wallMs); // the task was not running: quiet starts now
        }
        lastAskedWallMs = wallMs;
        long quietMs = wallMs - lastRecordWallMs;
        if (flowWhenIdle && newestReceivedAtMs != Long.MIN_VALUE && quietMs >= idleMs) {
            return newestReceivedAtMs + quietMs;
        }
        return newestReceivedAtMs;
    }
}
