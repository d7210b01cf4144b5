package io.sluice.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class RateLimitsTest {

    private static final long SECOND = 1_000_000_000L;

    @Test
    void aBurstIsAllowedThenTheRate() {
        RateLimits limits = new RateLimits(2, 3);
        long t = 100 * SECOND;
        assertTrue(limits.tryTake("a", t));
        assertTrue(limits.tryTake("a", t));
        assertTrue(limits.tryTake("a", t));
        assertFalse(limits.tryTake("a", t));
        assertTrue(limits.tryTake("b", t), "keys have their own buckets");
        assertTrue(limits.tryTake("a", t + SECOND / 2));
        assertFalse(limits.tryTake("a", t + SECOND / 2));
    }

    @Test
    void takeGoesIntoDebtAndSaysHowLongToWait() {
        RateLimits limits = new RateLimits(10, 1);
        long t = 100 * SECOND;
        assertEquals(0, limits.take("a", t));
        assertEquals(SECOND / 10, limits.take("a", t));
        assertEquals(2 * SECOND / 10, limits.take("a", t));
    }

    @Test
    void aZeroRateIsUnlimited() {
        RateLimits limits = new RateLimits(0, 1);
        for (int i = 0; i < 1000; i++) {
            assertTrue(limits.tryTake("a", 0));
        }
    }
}
