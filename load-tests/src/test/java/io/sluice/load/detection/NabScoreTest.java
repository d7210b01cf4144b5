package io.sluice.load.detection;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.sluice.load.detection.NabScore.Profile;
import io.sluice.load.detection.NabScore.SeriesScore;
import io.sluice.load.detection.NabScore.Window;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Worked examples of NAB's score. σ(x) = 2 / (1 + e^(5x)) - 1 = tanh(-5x / 2), so an alert's reward in a window is
 * tanh(2.5 * p) / tanh(2.5) with p = (r - i + 1) / w, tanh(2.5) = 0.9866142981514303.
 * <p>
 * The toy series has 100 rows one minute apart (row i at i minutes), so its probation is floor(0.15 * 100) = 15 rows,
 * and one window over rows 40..49 (w = 10, r = 49).
 */
class NabScoreTest {

    private static final double EXACT = 1e-12;
    private static final long MINUTE = 60_000;
    private static final long[] ROWS = rows(0, MINUTE, 100);
    private static final List<Window> WINDOW = List.of(new Window(40 * MINUTE, 49 * MINUTE));

    private static long[] rows(long first, long step, int count) {
        long[] rows = new long[count];
        for (int i = 0; i < count; i++) {
            rows[i] = first + i * step;
        }
        return rows;
    }

    /** The toy series scored on the standard profile with alerts at the given rows. */
    private static SeriesScore alertsAt(int... rows) {
        return NabScore.score(ROWS, WINDOW, Arrays.stream(rows).mapToLong(i -> i * MINUTE).toArray(), Profile.STANDARD);
    }

    @Test
    void anAlertAtTheWindowsStartEarnsTheWholeTruePositiveWeight() {
        // p = (49 - 40 + 1) / 10 = 1: tanh(2.5) / tanh(2.5) = 1
        SeriesScore s = alertsAt(40);
        assertEquals(1.0, s.rawScore(), EXACT);
        assertEquals(1, s.windowsFound());
        assertEquals(-1.0, s.nullScore());
        assertEquals(1.0, s.perfectScore());
    }

    @Test
    void laterAlertsInTheWindowEarnLess() {
        // middle, row 45: p = (49 - 45 + 1) / 10 = 0.5: tanh(1.25) / tanh(2.5) = 0.8482836399575129 / 0.9866142981514303
        assertEquals(0.8597925669097837, alertsAt(45).rawScore(), EXACT);
        // end, row 49: p = 1 / 10: tanh(0.25) / tanh(2.5) = 0.24491866240370913 / 0.9866142981514303
        assertEquals(0.24824154977542992, alertsAt(49).rawScore(), EXACT);
    }

    @Test
    void onlyTheEarliestAlertInAWindowCounts() {
        // rows 49, 45 and 40 are all inside; the window keeps its best reward, row 40's 1.0, and nothing is added
        SeriesScore s = alertsAt(49, 45, 40);
        assertEquals(1.0, s.rawScore(), EXACT);
        assertEquals(3, s.alerts());
        assertEquals(3, s.alertsInWindows());
        assertEquals(1, s.windowsFound());
    }

    @Test
    void aMissedWindowCostsTheFalseNegativeWeight() {
        assertEquals(-1.0, alertsAt().rawScore(), EXACT);
        assertEquals(0, alertsAt().windowsFound());
        assertEquals(-2.0, NabScore.score(ROWS, WINDOW, new long[0], new Profile(1, 0.11, 2)).rawScore(), EXACT);
    }

    @Test
    void aFalsePositiveBeforeAnyWindowCostsTheWholeFalsePositiveWeight() {
        // row 20: -0.11, plus the missed window's -1
        SeriesScore s = alertsAt(20);
        assertEquals(-0.11 - 1.0, s.rawScore(), EXACT);
        assertEquals(0, s.alertsInWindows());
        assertEquals(0.0, s.precision());
    }

    @Test
    void aFalsePositiveAfterAWindowIsWeighedByItsDistanceInWindowWidths() {
        // row 54: x = (54 - 49) / (10 - 1) = 5/9, σ(5/9) = -tanh(25/18) = -0.8829261942512643, × 0.11 = -0.09712188136763907
        assertEquals(-0.09712188136763907 + 1.0, alertsAt(40, 54).rawScore(), EXACT);
        // row 90: x = 41/9 > 3, σ = -1, so the whole -0.11
        assertEquals(-0.11 + 1.0, alertsAt(40, 90).rawScore(), EXACT);
        // row 50, just past the end: x = 1/9, σ = -tanh(5/18) = -0.27087..., cheaper than one far away
        assertEquals(1.0 - 0.11 * Math.tanh(5.0 / 18), alertsAt(40, 50).rawScore(), EXACT);
    }

    @Test
    void alertsInTheProbationaryPeriodAreNotScored() {
        // rows 0..14 are probationary: row 10 is neither a false positive nor anything else, the window stays missed
        SeriesScore s = alertsAt(10);
        assertEquals(-1.0, s.rawScore(), EXACT);
        assertEquals(1, s.alerts());
        assertEquals(1, s.probationaryAlerts());
        // a window lying wholly in probation (rows 5..12) is neither rewarded nor missed, though an alert there finds it
        SeriesScore early = NabScore.score(ROWS, List.of(new Window(5 * MINUTE, 12 * MINUTE)), new long[] {5 * MINUTE},
                Profile.STANDARD);
        assertEquals(0.0, early.rawScore(), EXACT);
        assertEquals(0.0, early.nullScore(), EXACT);
        assertEquals(1.0, early.perfectScore(), EXACT);
        assertEquals(1, early.windowsFound());
    }

    @Test
    void theProbationIsFifteenPercentCappedAt750Rows() {
        assertEquals(15, NabScore.probationLength(100));
        assertEquals(749, NabScore.probationLength(4999)); // floor(749.85)
        assertEquals(750, NabScore.probationLength(5000));
        assertEquals(750, NabScore.probationLength(15902));
    }

    @Test
    void severalAlertsOnOneRowAreOneDetection() {
        // 40 min and 40.5 min both belong to row 40 (the last row at or before each)
        SeriesScore s = NabScore.score(ROWS, WINDOW, new long[] {40 * MINUTE, 40 * MINUTE + MINUTE / 2}, Profile.STANDARD);
        assertEquals(1, s.alerts());
        assertEquals(1.0, s.rawScore(), EXACT);
    }

    @Test
    void theCorpusIsNormalisedOnItsTotalsBetweenNeverAlertingAndAlertingAtEachStart() {
        SeriesScore perfect = alertsAt(40);
        SeriesScore silent = alertsAt();
        assertEquals(100.0, NabScore.normalised(List.of(perfect, perfect)), EXACT);
        assertEquals(0.0, NabScore.normalised(List.of(silent, silent)), EXACT);
        // raw 1 + (-1) = 0, null -2, perfect 2: 100 * (0 + 2) / (2 + 2) = 50
        assertEquals(50.0, NabScore.normalised(List.of(perfect, silent)), EXACT);
        // a series without windows only adds its false positives: raw 1 - 0.11, null -1, perfect 1: 100 * 1.89 / 2
        SeriesScore quiet = NabScore.score(ROWS, List.of(), new long[] {70 * MINUTE}, Profile.STANDARD);
        assertEquals(94.5, NabScore.normalised(List.of(perfect, quiet)), EXACT);
    }

    @Test
    void nabTimestampsAreReadAsUtcWithOrWithoutFractions() {
        assertEquals(1392807000000L, NabScore.parseTimestamp("2014-02-19 10:50:00.000000"));
        assertEquals(1392807000000L, NabScore.parseTimestamp("2014-02-19 10:50:00"));
        assertEquals(1392807000250L, NabScore.parseTimestamp("2014-02-19 10:50:00.25"));
    }

    /**
     * realTweets/Twitter_volume_AAPL.csv of the NAB development set: 15902 rows every 5 minutes from 2015-02-26
     * 21:42:53 (probation capped at 750 rows), its four windows as in combined_windows.json. The expected figures are
     * bench/nab/score.py's (the Python reference, which reproduces NAB's own per-file scores of the published
     * detectors to 5e-12) for these alerts: {@code score_series(ts, windows, alerts)} gave raw 0.6260901000828251,
     * 3 of 4 windows found, 10 distinct alerted rows of which 5 inside and 1 (row 500) probationary. By row:
     * 1000 -0.11 (before any window), 1250 +0.9972 (window 1's earliest; 1300 and 1600 add nothing),
     * 1700 -0.0451 (just after window 1), window 2 missed -1, 5157 +0.0064 (window 3's last row),
     * 7000 -0.11 (> 3 widths after window 3), 9100 +0.9976, 15000 -0.11.
     */
    @Test
    void agreesWithThePythonReferenceOnARealSeries() {
        long[] rows = rows(NabScore.parseTimestamp("2015-02-26 21:42:53"), 5 * MINUTE, 15902);
        List<Window> windows = List.of(
                window("2015-03-03 04:37:53.000000", "2015-03-04 13:37:53.000000"),
                window("2015-03-09 01:02:53.000000", "2015-03-10 10:02:53.000000"),
                window("2015-03-15 10:27:53.000000", "2015-03-16 19:27:53.000000"),
                window("2015-03-30 10:57:53.000000", "2015-03-31 19:57:53.000000"));
        long[] alerts = List.of("2015-02-28 15:22:53", "2015-03-02 09:02:53", "2015-03-03 05:52:53", "2015-03-03 10:02:53",
                "2015-03-04 11:02:53", "2015-03-04 19:22:53", "2015-03-16 19:27:53", "2015-03-23 05:02:53",
                "2015-03-30 12:02:53", "2015-04-19 23:42:53",
                "2015-03-02 09:02:53", "2015-03-30 12:03:53") // a repeat, and one a minute after row 9100
                .stream().mapToLong(NabScore::parseTimestamp).toArray();
        SeriesScore s = NabScore.score(rows, windows, alerts, Profile.STANDARD);
        assertEquals(0.6260901000828251, s.rawScore(), EXACT);
        assertEquals(4, s.windows());
        assertEquals(3, s.windowsFound());
        assertEquals(10, s.alerts());
        assertEquals(5, s.alertsInWindows());
        assertEquals(1, s.probationaryAlerts());
        assertEquals(-4.0, s.nullScore());
        assertEquals(4.0, s.perfectScore());
    }

    private static Window window(String start, String end) {
        return new Window(NabScore.parseTimestamp(start), NabScore.parseTimestamp(end));
    }
}
