package io.sluice.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class RateProfileTest {

    /** The messages due by t, summed the slow way (1 ms steps), to check the exact integrals against. */
    private static double summed(RateProfile profile, double t) {
        double sum = 0;
        for (double x = 0.0005; x < t; x += 0.001) {
            sum += profile.rateAt(x) * 0.001;
        }
        return sum;
    }

    @Test
    void eachProfileDuesWhatItsRateAddsUpTo() {
        for (RateProfile profile : new RateProfile[] {new RateProfile.Steady(1000), new RateProfile.Ramp(200, 20_000, 30),
                new RateProfile.Burst(200, 20_000, 10, 3, 20)}) {
            for (double t : new double[] {0.5, 5, 10.7, 12, 13, 25, 33.3, 36, 50}) {
                assertEquals(summed(profile, t), profile.due(t), Math.max(1, summed(profile, t) * 1e-4), profile.describe() + " at " + t);
            }
        }
    }

    @Test
    void aBurstRisesHoldsAndFallsBack() {
        RateProfile burst = RateProfile.parse("burst:200:20000:10:3:20", 1000, 60);
        assertEquals(200, burst.rateAt(5));
        assertEquals(10_100, burst.rateAt(11.5), 1e-6);
        assertEquals(20_000, burst.rateAt(20));
        assertEquals(200, burst.rateAt(40));
        assertEquals(20_000, burst.peak());
        assertEquals(500, RateProfile.parse("steady", 500, 60).rateAt(3));
        assertEquals(700, RateProfile.parse("ramp:100:700", 1, 60).rateAt(60));
    }

    @Test
    void mistakesAreOneLineNamingTheOption() {
        for (String bad : new String[] {"wobble", "ramp:1", "burst:1:2:x:4:5", "steady:0", "burst:200:20000:10:0:20", "ramp:-5:10"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RateProfile.parse(bad, 1000, 60), bad);
            assertTrue(e.getMessage().startsWith("--profile"), e.getMessage());
            assertTrue(!e.getMessage().contains("\n"), e.getMessage());
        }
    }
}
