package io.sluice.processor;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class PartitionClockTest {

    private static final long IDLE = 30_000;
    private static final long WALL = 1_000_000_000L;
    private static final long DATA = 1_763_800_000_000L;

    /** Asks the clock once a second, as the punctuations do, from {@code fromMs} to {@code toMs} of wall time. */
    private static long tick(PartitionClock clock, long fromMs, long toMs) {
        long now = Long.MIN_VALUE;
        for (long wall = fromMs; wall <= toMs; wall += 1_000) {
            now = clock.now(wall, true);
        }
        return now;
    }

    @Test
    void aQuietPartitionsTimeFlowsAtTheWallClocksPaceAfterIdle() {
        PartitionClock clock = new PartitionClock(IDLE, 1_000);
        clock.start(Long.MIN_VALUE, WALL);
        clock.observe(DATA, WALL);
        assertEquals(DATA, tick(clock, WALL + 1_000, WALL + 29_000), "quiet for less than idle: the data's time");
        assertEquals(DATA + 40_000, tick(clock, WALL + 30_000, WALL + 40_000), "then it flows on from the data");
        assertEquals(DATA + 40_500, clock.observe(DATA + 40_500, WALL + 40_500), "a record brings it back to the data's time");
    }

    @Test
    void aStalledTaskDoesNotTakeItsStallForQuiet() {
        PartitionClock clock = new PartitionClock(IDLE, 1_000);
        clock.start(Long.MIN_VALUE, WALL);
        clock.observe(DATA, WALL);
        tick(clock, WALL + 1_000, WALL + 5_000);
        // No punctuation for 60 s: the thread was stalled, the readings may be waiting in Kafka.
        assertEquals(DATA, clock.now(WALL + 65_000, true), "the stall is not quiet");
        assertEquals(DATA, tick(clock, WALL + 66_000, WALL + 94_000), "quiet counts from when the task ran again");
        assertEquals(DATA + 30_000, tick(clock, WALL + 95_000, WALL + 95_000),
                "and flows after idle of it: 30 s on from the data, not the 95 s the wall clock moved");
    }

    @Test
    void aSlowStartIsAStallToo() {
        PartitionClock clock = new PartitionClock(IDLE, 1_000);
        clock.start(DATA, WALL);
        assertEquals(DATA, clock.now(WALL + 45_000, true), "first punctuation 45 s after the task started");
        assertEquals(DATA, tick(clock, WALL + 46_000, WALL + 74_000));
        assertEquals(DATA + 31_000, tick(clock, WALL + 75_000, WALL + 76_000), "idle of quiet after the first punctuation");
    }
}
