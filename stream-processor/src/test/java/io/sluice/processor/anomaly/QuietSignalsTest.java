package io.sluice.processor.anomaly;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.IntToDoubleFunction;

import org.junit.jupiter.api.Test;

/**
 * What the built-in rules must leave quiet, at scale: hundreds of thousands of readings of plain noise, daily cycles,
 * quantised and near-zero signals and ramps, played straight into the detectors (a few hundred milliseconds in all).
 * The counts are the ones docs/processing.md states.
 */
class QuietSignalsTest {

    private static final Rules.MetricRules RULES = DetectionRules.defaults().forMetric("d", "v");
    private static final long T0 = 1_767_225_600_000L;
    private static final long FIVE_MINUTES = 300_000;

    private record Alert(Detector detector, double value, double expected) {
    }

    /** Plays {@code series} series of {@code readings} each, every {@code every} ms, and returns every alert raised. */
    private static List<Alert> play(int series, int readings, long every, java.util.function.Function<Random, IntToDoubleFunction> signal) {
        List<Alert> alerts = new ArrayList<>();
        Random random = new Random(7);
        for (int s = 0; s < series; s++) {
            MetricState state = new MetricState();
            IntToDoubleFunction values = signal.apply(random);
            for (int i = 0; i < readings; i++) {
                MetricDetectors.judge("v", T0 + i * every, values.applyAsDouble(i), RULES, state,
                        (metric, ts, value, expected, score, detector, severity, detail) -> alerts.add(new Alert(detector, value, expected)));
            }
        }
        return alerts;
    }

    private static double rounded(double value, double step) {
        return Math.round(value / step) * step;
    }

    @Test
    void gaussianNoiseRaisesAboutOneAlertInHalfAMillionReadings() {
        List<Alert> alerts = play(20, 20_000, 60_000, random -> i -> rounded(20 + random.nextGaussian(), 0.01));
        assertTrue(alerts.size() <= 2, "400,000 readings: " + alerts);
    }

    @Test
    void dailyCyclesRaiseNothing() {
        for (double amplitude : new double[] {0, 3, 10}) {
            List<Alert> alerts = play(20, 30 * 288, FIVE_MINUTES, random -> {
                double phase = random.nextDouble() * 2 * Math.PI;
                return i -> rounded(20 + amplitude * Math.sin(2 * Math.PI * i / 288.0 + phase) + random.nextGaussian(), 0.01);
            });
            assertTrue(alerts.size() <= 1, "30 days of a sine of amplitude " + amplitude + ": " + alerts);
        }
        List<Alert> square = play(20, 6 * 288, FIVE_MINUTES, random -> i -> (i % 288 >= 100 && i % 288 < 200 ? 80 : 20)
                + random.nextGaussian());
        assertEquals(List.of(), square, "six days of a square daily cycle");
    }

    @Test
    void aSignalQuantisedCoarselyIsNotStuck() {
        for (double step : new double[] {3, 4}) {
            List<Alert> alerts = play(20, 20_000, 60_000, random -> i -> rounded(20 + random.nextGaussian(), step));
            assertEquals(List.of(), alerts, "noise of deviation 1 read in steps of " + step);
        }
    }

    @Test
    void rampsTowardsZeroRaiseNothing() {
        int readings = 10_000;
        List<Alert> alerts = new ArrayList<>();
        alerts.addAll(play(5, readings, 60_000, random -> i -> 100.0 * (readings - i) / readings));
        alerts.addAll(play(5, readings, 60_000, random -> i -> rounded(100.0 * (readings - i) / readings, 0.001)));
        alerts.addAll(play(5, readings, 60_000, random -> i -> 100 * Math.exp(-10.0 * i / readings)));
        assertEquals(List.of(), alerts, "a battery draining, exact or read to 0.001, and an exponential decay");
    }

    @Test
    void ratiosRaiseOnlyWhereAPositiveSignalsNoiseReachesNearZero() {
        assertTrue(play(20, 20_000, 60_000, random -> i -> rounded(6 + random.nextGaussian(), 0.01)).size() <= 2,
                "noise a sixth of its level: no more than plain noise");
        assertNearZeroDips(5, 6);
        assertNearZeroDips(4, 20);
    }

    /** Gaussian noise of deviation 1 around {@code mean}: at most {@code most} alerts, each a dip under 10% of the level. */
    private static void assertNearZeroDips(double mean, int most) {
        List<Alert> alerts = play(20, 20_000, 60_000, random -> i -> rounded(mean + random.nextGaussian(), 0.01));
        assertTrue(alerts.size() <= most, "noise of 1 around " + mean + ": " + alerts.size() + " alerts in 400,000 readings");
        for (Alert alert : alerts) {
            assertTrue(alert.detector() == Detector.VARIANCE_CHANGE
                    || alert.detector() == Detector.SPIKE && alert.value() < 0.1 * alert.expected(), alert.toString());
        }
    }
}
