package io.sluice.processor.device;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import io.sluice.processor.state.StateReader;
import io.sluice.processor.state.StateWriter;

class ReadingLogTest {

    private static final long NONE = ReadingLog.NO_SEQUENCE;

    @Test
    void remembersEachKeysMetricsAndAddsToAKeySeenBefore() {
        ReadingLog log = new ReadingLog();
        log.record(1_000, 7, 0b01);
        log.record(2_000, NONE, 0b11);
        log.record(1_000, 7, 0b10);
        assertEquals(0b11, log.seenMetrics(1_000, 7));
        assertEquals(0b11, log.seenMetrics(2_000, NONE));
        assertEquals(0, log.seenMetrics(1_000, 8), "another sequence number is another event");
        assertEquals(0, log.seenMetrics(1_000, NONE));
        assertEquals(0, log.seenMetrics(3_000, NONE));
        assertEquals(2, log.events());
    }

    @Test
    void forgetsWhatIsOlderThanTheClosedWindowsWithoutRaisingTheFloor() {
        ReadingLog log = new ReadingLog();
        for (long ts = 1_000; ts <= 5_000; ts += 1_000) {
            log.record(ts, ts / 1_000, 1);
        }
        log.forget(3_000, 100);
        assertEquals(3, log.events());
        assertEquals(Long.MIN_VALUE, log.floorTs());
        assertEquals(0, log.seenMetrics(2_000, 2));
        assertEquals(1, log.seenMetrics(3_000, 3));
        assertEquals(1, log.seenMetrics(5_000, 5));
    }

    @Test
    void keepsAtMostItsBoundAndRaisesTheFloorPastWhatItForgot() {
        ReadingLog log = new ReadingLog();
        for (long ts = 1_000; ts <= 10_000; ts += 1_000) {
            log.record(ts, NONE, 1);
            log.forget(Long.MIN_VALUE, 4);
        }
        assertEquals(4, log.events());
        assertEquals(6_000, log.floorTs());
        assertEquals(1, log.seenMetrics(7_000, NONE));
        assertEquals(1, log.seenMetrics(10_000, NONE));
    }

    @Test
    void survivesItsEncodingIncludingOutOfOrderEventsAndLargeSequenceJumps() {
        ReadingLog log = new ReadingLog();
        log.record(5_000, 1L << 40, 0b1);
        log.record(3_000, NONE, 0b10);
        log.record(9_000, -3, 0b100);
        log.record(4_000, 2, Long.MIN_VALUE);
        log.forget(Long.MIN_VALUE, 3);
        StateWriter out = new StateWriter(16);
        log.write(out);
        StateReader in = new StateReader(out.toByteArray());
        ReadingLog read = ReadingLog.read(in);
        assertTrue(in.atEnd());
        assertEquals(3, read.events());
        assertEquals(5_000, read.floorTs());
        assertEquals(0b10, read.seenMetrics(3_000, NONE));
        assertEquals(0b100, read.seenMetrics(9_000, -3));
        assertEquals(Long.MIN_VALUE, read.seenMetrics(4_000, 2));
        read.record(10_000, NONE, 1);
        assertEquals(1, read.seenMetrics(10_000, NONE));
    }

    @Test
    void forgettingASlotClearsItsBitEverywhere() {
        ReadingLog log = new ReadingLog();
        log.record(1_000, 1, 0b101);
        log.record(2_000, 2, 0b100);
        log.forgetSlot(2);
        assertEquals(0b001, log.seenMetrics(1_000, 1));
        assertEquals(0, log.seenMetrics(2_000, 2));
        log.record(3_000, 3, 0b100);
        assertEquals(0b100, log.seenMetrics(3_000, 3));
    }

    @Test
    void anEventOfASteadyDeviceCostsAFewBytes() {
        ReadingLog log = new ReadingLog();
        for (int i = 0; i < 256; i++) {
            log.record(1_764_000_000_000L + i * 1_000L, i, 0b1111);
        }
        StateWriter out = new StateWriter(16);
        log.write(out);
        assertTrue(out.size() < 256 * 5, "encoded in " + out.size() + " bytes");
    }
}
