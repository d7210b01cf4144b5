package io.sluice.processor.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;

import org.junit.jupiter.api.Test;

class ReplayRangeTest {

    private static final Instant NOW = Instant.parse("2026-11-22T12:00:00Z");

    @Test
    void timesAreReadAsPeopleWriteThem() {
        assertEquals(Instant.parse("2026-11-22T08:00:00Z"), ReplayRange.parseInstant("2026-11-22T08:00:00Z", NOW));
        assertEquals(Instant.parse("2026-11-22T07:00:00Z"), ReplayRange.parseInstant("2026-11-22T08:00:00+01:00", NOW));
        assertEquals(Instant.parse("2026-11-22T08:00:00Z"), ReplayRange.parseInstant("2026-11-22T08:00", NOW));
        assertEquals(Instant.parse("2026-11-22T08:00:00Z"), ReplayRange.parseInstant("2026-11-22 08:00", NOW));
        assertEquals(Instant.parse("2026-11-22T00:00:00Z"), ReplayRange.parseInstant("2026-11-22", NOW));
        assertEquals(Instant.parse("2026-11-22T11:30:00Z"), ReplayRange.parseInstant("-30m", NOW));
        assertEquals(Instant.parse("2026-11-22T10:00:00Z"), ReplayRange.parseInstant("-2h", NOW));
        assertEquals(Instant.parse("2026-11-21T12:00:00Z"), ReplayRange.parseInstant("-1d", NOW));
    }

    @Test
    void mistakesAreOneLine() {
        String message = assertThrows(IllegalArgumentException.class, () -> ReplayRange.parseInstant("yesterday", NOW)).getMessage();
        assertTrue(message.startsWith("'yesterday' is not a time"), message);
        assertEquals("--from (2026-11-22T12:00:00Z) must be before --to (2026-11-22T11:00:00Z)",
                assertThrows(IllegalArgumentException.class, () -> new ReplayRange(NOW, NOW.minusSeconds(3600))).getMessage());
    }
}
