package io.sluice.processor.anomaly;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;

import org.junit.jupiter.api.Test;

import io.sluice.processor.state.StateReader;
import io.sluice.processor.state.StateWriter;

/** A metric's detector state: read back whole, and read from the layouts of processors before the spike's ratios and the week. */
class MetricStateTest {

    private static final Rules.MetricRules RULES = DetectionRules.defaults().forMetric("d", "v");

    private static MetricState judged(int readings) {
        MetricState state = new MetricState();
        Random random = new Random(5);
        for (int i = 0; i < readings; i++) {
            MetricDetectors.judge("v", 1_764_000_000_000L + i * 300_000L, 20 + random.nextGaussian(), RULES, state,
                    (metric, ts, value, expected, score, detector, severity, detail) -> { });
        }
        return state;
    }

    private static byte[] encoded(MetricState state) {
        StateWriter out = new StateWriter(512);
        state.write(out);
        return out.toByteArray();
    }

    @Test
    void survivesItsEncodingByteForByte() {
        for (int readings : new int[] {0, 1, 2, 600}) {
            byte[] encoded = encoded(judged(readings));
            assertArrayEquals(encoded, encoded(MetricState.read(new StateReader(encoded), 4)), readings + " readings");
        }
    }

    @Test
    void readsTheFormatsBeforeTheRatiosAndTheWeekAndWhatTheyLackStartsAfresh() {
        MetricState state = judged(3 * 7 * 288);
        byte[] current = encoded(state);
        StateWriter weekly = new StateWriter(128);
        state.baseline.writeWeekly(weekly);
        StateWriter ratios = new StateWriter(64);
        state.baseline.writeRatios(ratios);
        int weeklyBytes = weekly.toByteArray().length;
        int ratioBytes = ratios.toByteArray().length;
        assertTrue(weeklyBytes > 7 * 8 && ratioBytes > 16, "three weeks were learnt: " + weeklyBytes + " and " + ratioBytes + " bytes");
        // Format 3 is format 4 without the weekly part, its last; format 2 is format 3 without the ratios, then its last.
        byte[] formatThree = Arrays.copyOf(current, current.length - weeklyBytes);
        byte[] formatTwo = Arrays.copyOf(formatThree, formatThree.length - ratioBytes);

        MetricState fromThree = MetricState.read(new StateReader(formatThree), 3);
        assertArrayEquals(formatThree, Arrays.copyOf(encoded(fromThree), formatThree.length), "everything else read as it was");
        assertTrue(encoded(fromThree).length < current.length, "no day of the week learnt yet");

        MetricState fromTwo = MetricState.read(new StateReader(formatTwo), 2);
        assertFalse(fromTwo.baseline.ratiosOff);
        assertEquals(0, fromTwo.baseline.ratios.seen, "no ratio learnt yet");
        assertArrayEquals(formatTwo, Arrays.copyOf(encoded(fromTwo), formatTwo.length), "everything else read as it was");
        MetricDetectors.judge("v", 1_764_006_000_000L + 3 * 7 * 86_400_000L, 20, RULES, fromTwo, (m, t, v, e, s, d, sev, detail) -> { });
        assertEquals(1, fromTwo.baseline.ratios.seen, "the next reading starts them");
    }

    @Test
    void staysWithinItsStatedBound() {
        MetricState state = judged(3 * 7 * 288);
        assertTrue(state.encodedSize() <= 690, "a metric with three weeks of readings: " + state.encodedSize() + " bytes");
    }
}
