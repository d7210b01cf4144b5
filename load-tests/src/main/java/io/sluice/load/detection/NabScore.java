package io.sluice.load.detection;

import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.temporal.ChronoField;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * The Numenta Anomaly Benchmark's score, as NAB computes it (numenta/NAB {@code nab/sweeper.py},
 * {@code nab/scorer.py}, {@code nab/runner.py}), for alerts given as times rather than anomaly scores.
 * <p>
 * Positions are counted in rows of the series. A window of {@code w} rows ending at row {@code r} gives an alert at row
 * {@code i} inside it {@code tpWeight * σ(-(r - i + 1) / w) / σ(-1)}, where {@code σ(x) = 2 / (1 + e^(5x)) - 1} is NAB's
 * scaled sigmoid, so an alert at the window's first row earns exactly {@code tpWeight}; each window counts only its
 * best, that is its earliest, alert, and a window with none costs {@code fnWeight}. An alert outside every window
 * costs {@code fpWeight} if no window ends before it, else scores {@code fpWeight * σ((i - r) / (w - 1))}, which is
 * negative, by the last window before it (ending at row {@code r}, {@code w} rows wide; {@code σ = -1} beyond 3). The first
 * {@link #probationLength(int)} rows are probationary: alerts there are not scored, and a window lying wholly in them
 * is neither rewarded nor missed. A corpus's score is normalised on its totals, see {@link #normalised(List)}.
 * <p>
 * An alert belongs to the last row at or before its time; several alerts on one row are one detection, as in NAB,
 * where a row either is a detection or is not.
 */
public final class NabScore {

    /** NAB's share of each series (at most {@code 0.15 * 5000} rows) during which detectors calibrate unscored. */
    public static final double PROBATION_PERCENT = 0.15;

    /** A profile's weights for a true positive, a false positive and a false negative (NAB's {@code config/profiles.json}). */
    public record Profile(double tpWeight, double fpWeight, double fnWeight) {
        public static final Profile STANDARD = new Profile(1.0, 0.11, 1.0);
        public static final Profile REWARD_LOW_FP_RATE = new Profile(1.0, 0.22, 1.0);
        public static final Profile REWARD_LOW_FN_RATE = new Profile(1.0, 0.11, 2.0);
    }

    /** A labelled anomaly window, both ends inclusive, in epoch milliseconds. */
    public record Window(long startMs, long endMs) {
    }

    /**
     * One series scored. {@code windowsFound}, {@code alerts} and {@code alertsInWindows} count every alert, the
     * probationary ones included (the NAB development set's README counts them so); {@code probationaryAlerts} of the
     * alerts were not scored. {@code nullScore} is what an alert-free detector scores, {@code perfectScore} NAB's
     * perfect score: {@code tpWeight} per window.
     */
    public record SeriesScore(int windows, int windowsFound, int alerts, int alertsInWindows, int probationaryAlerts,
            double rawScore, double nullScore, double perfectScore) {

        /** Alerts inside a window over all alerts; 0 without alerts. */
        public double precision() {
            return alerts == 0 ? 0 : (double) alertsInWindows / alerts;
        }
    }

    private NabScore() {
    }

    /**
     * Scores one series.
     *
     * @param rowTimes   the series' row times, epoch ms, ascending
     * @param windows    its anomaly windows, which must not overlap and must each hold at least one row
     * @param alertTimes the detector's alert times, epoch ms, in any order
     */
    public static SeriesScore score(long[] rowTimes, List<Window> windows, long[] alertTimes, Profile profile) {
        int[][] rows = windowRows(rowTimes, windows);
        int[] alerted = alertRows(rowTimes, alertTimes);
        int probation = probationLength(rowTimes.length);
        double[] best = new double[rows.length];
        int scorable = 0;
        for (int w = 0; w < rows.length; w++) {
            best[w] = rows[w][1] >= probation ? -profile.fnWeight() : 0;
            scorable += rows[w][1] >= probation ? 1 : 0;
        }
        boolean[] found = new boolean[rows.length];
        int inWindows = 0;
        int probationary = 0;
        double falsePositives = 0;
        for (int i : alerted) {
            int w = windowAtOrBefore(rows, i);
            boolean inside = w >= 0 && i <= rows[w][1];
            if (inside) {
                found[w] = true;
                inWindows++;
            }
            if (i < probation) {
                probationary++;
            } else if (inside) {
                int width = rows[w][1] - rows[w][0] + 1;
                double reward = scaledSigmoid(-(rows[w][1] - i + 1) / (double) width) / scaledSigmoid(-1.0);
                best[w] = Math.max(best[w], reward * profile.tpWeight());
            } else if (w < 0) {
                falsePositives -= profile.fpWeight();
            } else {
                double widths = (i - rows[w][1]) / (double) (rows[w][1] - rows[w][0]);
                falsePositives += scaledSigmoid(widths) * profile.fpWeight();
            }
        }
        int windowsFound = 0;
        for (boolean f : found) {
            windowsFound += f ? 1 : 0;
        }
        return new SeriesScore(rows.length, windowsFound, alerted.length, inWindows, probationary,
                falsePositives + Arrays.stream(best).sum(), -profile.fnWeight() * scorable, profile.tpWeight() * rows.length);
    }

    /**
     * A corpus's NAB score: {@code 100 * (raw - null) / (perfect - null)} on the sums over its series, so that never
     * alerting scores 0 and an alert at each window's start (none in probation) 100. NaN for a corpus without windows.
     */
    public static double normalised(List<SeriesScore> series) {
        double raw = 0;
        double none = 0;
        double perfect = 0;
        for (SeriesScore s : series) {
            raw += s.rawScore();
            none += s.nullScore();
            perfect += s.perfectScore();
        }
        return 100 * (raw - none) / (perfect - none);
    }

    /** Rows {@code 0 .. n-1} of a series are probationary: {@code n = min(floor(0.15 * rows), 750)}. */
    public static int probationLength(int rows) {
        return (int) Math.min(Math.floor(PROBATION_PERCENT * rows), PROBATION_PERCENT * 5000);
    }

    /** NAB's scaled sigmoid of a relative position: 2 / (1 + e^(5x)) - 1, and -1 beyond x = 3. */
    static double scaledSigmoid(double position) {
        return position > 3.0 ? -1.0 : 2 / (1 + Math.exp(5 * position)) - 1;
    }

    private static final DateTimeFormatter NAB_TIME = new DateTimeFormatterBuilder()
            .appendPattern("yyyy-MM-dd HH:mm:ss")
            .optionalStart().appendFraction(ChronoField.NANO_OF_SECOND, 0, 9, true).optionalEnd()
            .toFormatter();

    /** Epoch ms of a NAB timestamp, {@code yyyy-MM-dd HH:mm:ss} with optional fractional seconds, read as UTC. */
    public static long parseTimestamp(String text) {
        return LocalDateTime.parse(text.strip(), NAB_TIME).toInstant(ZoneOffset.UTC).toEpochMilli();
    }

    /** Each window's first and last row, in order of start. */
    private static int[][] windowRows(long[] rowTimes, List<Window> windows) {
        List<Window> sorted = windows.stream().sorted(Comparator.comparingLong(Window::startMs)).toList();
        int[][] rows = new int[sorted.size()][];
        for (int w = 0; w < rows.length; w++) {
            Window window = sorted.get(w);
            int first = lastRowAtOrBefore(rowTimes, window.startMs() - 1) + 1;
            int last = lastRowAtOrBefore(rowTimes, window.endMs());
            if (first > last || (w > 0 && first <= rows[w - 1][1])) {
                throw new IllegalArgumentException("window " + window + " holds no row or overlaps the one before");
            }
            rows[w] = new int[] {first, last};
        }
        return rows;
    }

    /** The distinct rows alerted, ascending; alerts before the first row are dropped. */
    private static int[] alertRows(long[] rowTimes, long[] alertTimes) {
        return Arrays.stream(alertTimes).mapToInt(t -> lastRowAtOrBefore(rowTimes, t)).filter(i -> i >= 0)
                .distinct().sorted().toArray();
    }

    /** The index of the last window starting at or before row {@code i}, or -1. */
    private static int windowAtOrBefore(int[][] rows, int i) {
        int w = -1;
        while (w + 1 < rows.length && rows[w + 1][0] <= i) {
            w++;
        }
        return w;
    }

    /** The last row at or before {@code t}, or -1. */
    private static int lastRowAtOrBefore(long[] rowTimes, long t) {
        int at = Arrays.binarySearch(rowTimes, t);
        if (at < 0) {
            return -at - 2;
        }
        while (at + 1 < rowTimes.length && rowTimes[at + 1] == t) {
            at++;
        }
        return at;
    }
}
