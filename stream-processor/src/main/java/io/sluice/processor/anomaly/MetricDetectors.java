package io.sluice.processor.anomaly;

import io.sluice.processor.anomaly.Rules.Debounce;
import io.sluice.processor.anomaly.Rules.MetricRules;

/**
 * Judges one device's readings of one metric, in order, against its {@link MetricState}:
 * <ul>
 *   <li>{@link Detector#THRESHOLD}: outside [min, max];</li>
 *   <li>{@link Detector#ZSCORE}: more than {@code threshold} rolling standard deviations from the
 *       rolling mean (EWMA of mean and variance); judged once {@code warmup} readings built the
 *       baseline; readings it flags do not move the baseline, and a flagged run as long as the warm-up
 *       is taken as a new normal and rebuilds it;</li>
 *   <li>{@link Detector#RATE_OF_CHANGE}: faster than {@code max_per_second} since the previous reading;</li>
 *   <li>{@link Detector#STUCK}: the same value (within a tolerance) for {@code readings} in a row and, with
 *       {@code normal_runs}, that many times longer than the metric's own longest flat run lately (after the
 *       baseline's warm-up), so that counters and quantised signals are not taken for stuck sensors;</li>
 *   <li>the baseline detectors ({@link MetricBaseline}): spikes and dips, level shifts, changes of variance and
 *       departures from a daily cycle, each against what the metric itself has shown lately.</li>
 * </ul>
 * The first three pass through an M-of-N debounce: an anomaly is raised when m of the last n
 * readings hit, once, and the detector re-arms when n readings in a row are clean. Stuck raises once
 * per flat run; a baseline detector once per episode.
 */
public final class MetricDetectors {

    /** Where a detector's finding goes. */
    public interface Findings {
        void raise(String metric, long ts, double value, double expected, double score, Detector detector, Severity severity,
                   String detail);
    }

    private MetricDetectors() {
    }

    public static void judge(String metric, long ts, double value, MetricRules rulesOf, MetricState state, Findings findings) {
        Rules.Threshold threshold = rulesOf.threshold();
        if (threshold.enabled()) {
            boolean hit = value < threshold.min() || value > threshold.max();
            double bound = value < threshold.min() ? threshold.min() : threshold.max();
            if (debounced(state, MetricState.THRESHOLD, hit, threshold.debounce())) {
                findings.raise(metric, ts, value, bound, Math.abs(value - bound), Detector.THRESHOLD, threshold.severity(),
                        metric + " " + value + (value < threshold.min() ? " below min " : " above max ") + bound);
            }
        }

        Rules.ZScore zscore = rulesOf.zscore();
        if (zscore.enabled()) {
            boolean hit = false;
            double z = 0;
            if (state.baselineCount >= zscore.warmup()) {
                double std = Math.max(Math.sqrt(state.variance), zscore.minStd());
                z = (value - state.mean) / std;
                hit = Math.abs(z) > zscore.threshold();
            }
            if (debounced(state, MetricState.ZSCORE, hit, zscore.debounce())) {
                findings.raise(metric, ts, value, state.mean, z, Detector.ZSCORE, zscore.severity(),
                        String.format("%s %.4g is %.1f standard deviations from its rolling mean %.4g", metric, value, z,
                                state.mean));
            }
            if (!hit) {
                state.consecutiveZHits = 0;
                double alpha = Math.max(zscore.alpha(), 1.0 / (state.baselineCount + 1));
                double diff = value - state.mean;
                double increment = alpha * diff;
                state.mean += increment;
                state.variance = (1 - alpha) * (state.variance + diff * increment);
                state.baselineCount++;
            } else if (++state.consecutiveZHits >= zscore.warmup()) {
                // A level that lasts as long as the warm-up is the new normal: learn it again from here.
                state.baselineCount = 1;
                state.mean = value;
                state.variance = 0;
                state.consecutiveZHits = 0;
            }
        }

        Rules.RateOfChange rate = rulesOf.rateOfChange();
        if (rate.enabled()) {
            boolean hit = false;
            double perSecond = 0;
            if (state.hasLast && ts > state.lastTsMs) {
                perSecond = (value - state.lastValue) / ((ts - state.lastTsMs) / 1000.0);
                hit = Math.abs(perSecond) > rate.maxPerSecond();
            }
            if (debounced(state, MetricState.RATE, hit, rate.debounce())) {
                findings.raise(metric, ts, value, state.lastValue, Math.abs(perSecond) / rate.maxPerSecond(),
                        Detector.RATE_OF_CHANGE, rate.severity(),
                        String.format("%s changed %.4g per second, the limit is %.4g", metric, perSecond, rate.maxPerSecond()));
            }
        }

        judgeStuck(metric, ts, value, rulesOf, state, findings);
        state.baseline.judge(metric, ts, value, rulesOf, findings);

        if (!state.hasLast || ts >= state.lastTsMs) {
            state.hasLast = true;
            state.lastValue = value;
            state.lastTsMs = ts;
        }
    }

    private static void judgeStuck(String metric, long ts, double value, MetricRules rulesOf, MetricState state, Findings findings) {
        Rules.Stuck stuck = rulesOf.stuck();
        if (!stuck.enabled()) {
            return;
        }
        if (state.runLength > 0 && Math.abs(value - state.runValue) <= stuck.tolerance()) {
            state.runLength++;
        } else {
            if (state.runLength > 0) {
                state.changes = Math.min(state.changes + 1, Integer.MAX_VALUE);
                double faded = state.longestRun * (1 - rulesOf.baseline().fading() * state.runLength);
                state.longestRun = Math.max(faded, state.runLength);
            }
            state.runValue = value;
            state.runLength = 1;
            state.runRaised = false;
        }
        boolean unusual = stuck.normalRuns() == 0
                || state.baseline.readings >= rulesOf.baseline().warmup() && state.changes >= rulesOf.baseline().warmup() / 3
                && state.runLength > stuck.normalRuns() * state.longestRun;
        if (state.runLength >= stuck.readings() && unusual && !state.runRaised) {
            state.runRaised = true;
            findings.raise(metric, ts, value, state.runValue, state.runLength, Detector.STUCK, stuck.severity(),
                    metric + " has read " + value + " for " + state.runLength + " readings in a row"
                            + (stuck.normalRuns() == 0 ? "" : String.format(java.util.Locale.ROOT,
                            ", its longest flat run lately was %.0f", state.longestRun)));
        }
    }

    /** Shifts one reading's outcome into the detector's last n; true when this reading makes it m of n (once per episode). */
    static boolean debounced(MetricState state, int detector, boolean hit, Debounce debounce) {
        int mask = debounce.n() == 32 ? -1 : (1 << debounce.n()) - 1;
        state.hits[detector] = ((state.hits[detector] << 1) | (hit ? 1 : 0)) & mask;
        int count = Integer.bitCount(state.hits[detector]);
        if (!state.active[detector] && count >= debounce.m()) {
            state.active[detector] = true;
            return true;
        }
        if (state.active[detector] && count == 0) {
            state.active[detector] = false;
        }
        return false;
    }
}
