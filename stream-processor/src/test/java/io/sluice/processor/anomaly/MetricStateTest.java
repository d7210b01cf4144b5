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

/** A metric's detector state: read back whole, and read from the layout of processors before the spike's ratios. */
class MetricStateTest {

    private static final Rules.MetricRules RULES = DetectionRules.defaults().forMetric("d", "v");

    private static MetricState judged(int readings) {
        MetricState state = new MetricState();
        Random random = new Random(5);
        for (int i = 0; i < readings; i++) {
            MetricDetectors.judge("v", 1_764_000_000_000L + i * 10_000L, 20 + random.nextGaussian(), RULES, state,
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
            assertArrayEquals(encoded, encoded(MetricState.read(new StateReader(encoded), 3)), readings + " readings");
        }
    }

    @Test
    void readsTheFormatBeforeTheRatiosAndTheRatiosStartAfresh() {
        MetricState state = judged(600);
        byte[] current = encoded(state);
        StateWriter ratios = new StateWriter(64);
        state.baseline.writeRatios(ratios);
        int ratioBytes = ratios.toByteArray().length;
        assertTrue(ratioBytes > 16, "the ratios were learnt: " + ratioBytes + " bytes");
        // Format 2 is format 3 without the baseline's ratios, its last part.
        byte[] formatTwo = Arrays.copyOf(current, current.length - ratioBytes);

        MetricState upgraded = MetricState.read(new StateReader(formatTwo), 2);
        assertFalse(upgraded.baseline.ratiosOff);
        assertEquals(0, upgraded.baseline.ratios.seen, "no ratio learnt yet");
        byte[] rewritten = encoded(upgraded);
        assertArrayEquals(formatTwo, Arrays.copyOf(rewritten, formatTwo.length), "everything else read as it was");
        MetricDetectors.judge("v", 1_764_006_000_000L, 20, RULES, upgraded, (m, t, v, e, s, d, sev, detail) -> { });
        assertEquals(1, upgraded.baseline.ratios.seen, "the next reading starts them");
    }

    @Test
    void staysWithinItsStatedBound() {
        MetricState state = judged(3 * 8640);
        assertTrue(state.encodedSize() <= 610, "a metric with three days of readings: " + state.encodedSize() + " bytes");
    }
}
