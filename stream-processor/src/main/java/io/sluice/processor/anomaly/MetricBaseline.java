package io.sluice.processor.anomaly;

import java.util.Locale;

import io.sluice.processor.anomaly.MetricDetectors.Findings;
import io.sluice.processor.anomaly.Rules.Baseline;
import io.sluice.processor.anomaly.Rules.MetricRules;
import io.sluice.processor.anomaly.Rules.Novelty;
import io.sluice.processor.state.StateReader;
import io.sluice.processor.state.StateWriter;

/**
 * What one device's metric has looked like lately, learned from its own readings with no setting per metric, and the
 * four detectors that judge each new reading against it. Each watches one signal through an {@link Envelope} (the range
 * that signal has shown lately) and raises when the signal goes beyond that range by more than its margin (a share of
 * the range) and lies at least {@code deviations} typical deviations from the signal's centre:
 * <ul>
 *   <li>{@link Detector#SPIKE}: the reading's distance from the level, so that a trend or a slow cycle is not a spike
 *       (on a seasonal metric, what the profile explains does not count: a weekly step is not a spike);
 *       and, on a metric that has never read zero or less, the reading's ratio to its level (on a log scale, with a margin of
 *       {@value #RATIO_MARGIN}), so that a feed collapsing to a small share of its level is a dip even where the distance
 *       is usual (a price, a count or a speed whose noise grows with its level);</li>
 *   <li>{@link Detector#LEVEL_SHIFT}: the level (a moving average that a single spike cannot drag: each reading moves
 *       it by at most {@value #SPIKE_PROOF} typical deviations) less a slower average of it, so that a sudden move counts
 *       and a steady trend does not;</li>
 *   <li>{@link Detector#VARIANCE_CHANGE}: the variability, the moving mean absolute distance from the level, which is
 *       also the typical deviation the other detectors count in;</li>
 *   <li>{@link Detector#SEASONAL}: the distance from the {@link SeasonalProfile} (each hour of day's mean on past days,
 *       plus each day of the week's offset from them), once two days were seen and only while the profile explains at
 *       least half of the metric's variance; its deviations are counted in the residual's root mean square.</li>
 * </ul>
 * A range is the metric's own scale, whatever its unit, noise or quantisation, so that a heavy-tailed signal's usual
 * spikes stay usual; the deviations keep a light-tailed (Gaussian) signal's rare records from being raised. Nothing is
 * judged during the warm-up, and a larger margin applies while the baseline settles. O(1) per reading; at most 590
 * bytes encoded (the profile's 24 hours and 7 days included), 17 after a single reading.
 */
public final class MetricBaseline {

    static final double SPIKE_PROOF = 5.0;
    /** How far a smooth signal's record widens its range: half of the excess, so that a gradual change stays ahead of it. */
    private static final double SMOOTH_REACH = 0.5;
    private static final double RESIDUAL_PROOF = 3.0;
    /**
     * How far beyond the range of its ratios a positive reading's ratio to its level must go, as a share of that range:
     * larger than a distance's margin, since the log scale stretches a small value's noise.
     */
    static final double RATIO_MARGIN = 0.6;
    private static final double LEVEL_WEIGHT = 0.05;
    private static final double SLOW_LEVEL_WEIGHT = 0.01;
    private static final double VARIABILITY_WEIGHT = 0.03;
    private static final double SPREAD_WEIGHT = 0.01;
    /** On a seasonal metric a level shift must also be this many times the shift signal's own usual spread. */
    private static final double SEASONAL_SHIFT_SPREADS = 3.0;
    private static final double VARIANCE_WEIGHT = 0.002;
    private static final double SEASONAL_SHARE = 0.5;
    private static final int HOURS = SeasonalProfile.HOURS;
    private static final long TWO_DAYS_MS = 48 * 3_600_000L;

    long readings;
    long firstTsMs;
    double level;
    double slowLevel;
    double variability;
    double shiftSpread;
    double mean;
    double variance;
    double seasonalVariance;
    final SeasonalProfile profile = new SeasonalProfile();
    Envelope spikes = new Envelope();
    Envelope shifts = new Envelope();
    Envelope variabilities = new Envelope();
    Envelope residuals = new Envelope();
    /** Whether the metric read zero or less once: a difference scale (a temperature in °C, a count), where ratios mean nothing. */
    boolean ratiosOff;
    /** The spike's ratios: the log of the level, its variability and the range of log ratios; empty until the first reading. */
    double logLevel;
    double logVariability;
    Envelope ratios = new Envelope();
    /** The level of the distances from the profile: what a seasonal metric's reading is judged against for a spike. */
    double residualLevel;

    // What the envelope judged last looked like before it learned the signal: what an alert explains. Not state.
    private double lastExcess;
    private double lastLow;
    private double lastHigh;
    private double lastCentre;

    /** Judges one reading (in time order) and learns it. */
    void judge(String metric, long ts, double value, MetricRules rules, Findings findings) {
        if (!Double.isFinite(value)) {
            return;
        }
        if (readings == 0) {
            first(ts, value);
            return;
        }
        Baseline baseline = rules.baseline();
        double fading = baseline.fading();
        boolean seasonal = seasonal(ts);
        readings++;
        double fromLevel = value - level;
        double spikeFloor = rules.spike().deviations() * variability;
        // On a seasonal metric, a move the profile explains (a weekend's step down, a workday's start) is no spike.
        double fromSeasonLevel = fromSeasonLevel(ts, value);
        boolean explained = seasonal && Math.abs(fromSeasonLevel) < spikeFloor;
        if (judge(spikes, fromLevel, rules.spike(), baseline, fading, true, spikeFloor) && !explained) {
            raise(findings, metric, ts, value, level, lastExcess, Detector.SPIKE, rules.spike(),
                    String.format(Locale.ROOT, "%s %.4g is %.4g from its level %.4g, beyond the range it has shown lately (%.4g to %.4g)",
                            metric, value, fromLevel, level, lastLow, lastHigh));
        }
        judgeRatio(metric, ts, value, rules, baseline, fading, findings);
        double clip = readings > 20 ? SPIKE_PROOF * Math.max(variability, 1e-12) : Double.MAX_VALUE;
        double before = level;
        level += LEVEL_WEIGHT * Math.max(-clip, Math.min(clip, value - level));
        slowLevel += SLOW_LEVEL_WEIGHT * (level - slowLevel);
        double shift = level - slowLevel;
        double shiftFloor = Math.max(rules.levelShift().deviations() * variability, seasonal ? SEASONAL_SHIFT_SPREADS * shiftSpread : 0);
        shiftSpread += SPREAD_WEIGHT * (Math.abs(shift - shifts.centre) - shiftSpread);
        if (judge(shifts, shift, rules.levelShift(), baseline, fading, true, shiftFloor)) {
            raise(findings, metric, ts, value, before, lastExcess, Detector.LEVEL_SHIFT, rules.levelShift(),
                    String.format(Locale.ROOT, "%s's level moved from %.4g to %.4g, faster than it has lately", metric, before, level));
        }
        double deviation = Math.abs(value - level);
        variability += VARIABILITY_WEIGHT * ((readings > 20 && variability > 0 ? Math.min(deviation, SPIKE_PROOF * variability) : deviation)
                - variability);
        if (judge(variabilities, variability, rules.varianceChange(), baseline, fading, true,
                rules.varianceChange().deviations() * variability)) {
            raise(findings, metric, ts, value, lastCentre, lastExcess, Detector.VARIANCE_CHANGE, rules.varianceChange(),
                    String.format(Locale.ROOT, "%s's variability %.4g (mean absolute deviation from its level) is beyond the range"
                            + " it has kept lately (%.4g to %.4g)", metric, variability, lastLow, lastHigh));
        }
        judgeSeason(metric, ts, value, rules, baseline, fading, findings);
    }

    /** Learns the first reading: nothing to judge it against yet. */
    private void first(long ts, double value) {
        readings = 1;
        firstTsMs = ts;
        level = value;
        slowLevel = value;
        mean = value;
        profile.start(ts, value);
        spikes.learn(0, 0);
        if (value > 0) {
            logLevel = Math.log(value);
            ratios.learn(0, 0);
        } else {
            ratiosOff = true;
        }
        shifts.learn(0, 0);
        variabilities.learn(0, 0);
    }

    /**
     * The reading's distance from the profile, less the level of those distances (spike-proof as the level is): the part
     * of a move the time of the week does not explain; NaN while this hour has no profile.
     */
    private double fromSeasonLevel(long ts, double value) {
        double expected = profile.expected(ts);
        if (Double.isNaN(expected)) {
            return Double.NaN;
        }
        double fromSeasonLevel = value - expected - residualLevel;
        double clip = SPIKE_PROOF * Math.max(variability, 1e-12);
        residualLevel += LEVEL_WEIGHT * Math.max(-clip, Math.min(clip, fromSeasonLevel));
        return fromSeasonLevel;
    }

    /**
     * The spike detector's second view of a positive metric: the reading's ratio to its level, judged on a log scale
     * against the ratios it has shown lately, its floor counted in the log's own typical deviation; no second alert while
     * the distance's spike episode lasts.
     */
    private void judgeRatio(String metric, long ts, double value, MetricRules rules, Baseline baseline, double fading,
                            Findings findings) {
        if (ratiosOff) {
            return;
        }
        if (!(value > 0)) {
            ratiosOff = true;
            logLevel = 0;
            logVariability = 0;
            ratios = new Envelope();
            return;
        }
        double logValue = Math.log(value);
        if (ratios.seen == 0) {
            logLevel = logValue;
            ratios.learn(0, 0);
            return;
        }
        double fromLevel = logValue - logLevel;
        if (judge(ratios, fromLevel, rules.spike(), RATIO_MARGIN, baseline, fading, true, rules.spike().deviations() * logVariability)
                && !spikes.inEpisode) {
            raise(findings, metric, ts, value, Math.exp(logLevel), lastExcess, Detector.SPIKE, rules.spike(),
                    String.format(Locale.ROOT, "%s %.4g is %.3g times its level %.4g, beyond the ratios it has shown lately (%.3g to %.3g)",
                            metric, value, Math.exp(fromLevel), Math.exp(logLevel), Math.exp(lastLow), Math.exp(lastHigh)));
        }
        boolean learnt = ratios.seen > 20;
        double clip = learnt ? SPIKE_PROOF * Math.max(logVariability, 1e-12) : Double.MAX_VALUE;
        logLevel += LEVEL_WEIGHT * Math.max(-clip, Math.min(clip, fromLevel));
        double deviation = Math.abs(logValue - logLevel);
        logVariability += VARIABILITY_WEIGHT * ((learnt && logVariability > 0
                ? Math.min(deviation, SPIKE_PROOF * logVariability) : deviation) - logVariability);
    }

    /** Whether the daily profile explains the metric well enough to judge against it (two days seen at least). */
    private boolean seasonal(long ts) {
        return readings > 2 * HOURS && ts - firstTsMs >= TWO_DAYS_MS && seasonalVariance < SEASONAL_SHARE * variance;
    }

    private void judgeSeason(String metric, long ts, double value, MetricRules rules, Baseline baseline, double fading,
                             Findings findings) {
        double weight = Math.max(VARIANCE_WEIGHT, 1.0 / readings);
        double fromMean = value - mean;
        mean += weight * fromMean;
        variance = (1 - weight) * (variance + weight * fromMean * fromMean);
        double expected = profile.learn(ts, value);
        if (Double.isNaN(expected)) {
            return;
        }
        double residual = value - expected;
        // Spike-proof as the level is: a missing peak must not raise the bar it is judged against while it lasts.
        double counted = readings > 2 * HOURS && seasonalVariance > 0
                ? Math.min(Math.abs(residual), RESIDUAL_PROOF * Math.sqrt(seasonalVariance)) : residual;
        // Weighted by the residuals seen (the residual envelope counts them), not by all readings: the profile's first
        // day has none, and a variance that started a day late would otherwise be under-stated for days.
        double residualWeight = Math.max(VARIANCE_WEIGHT, 1.0 / (residuals.seen + 1));
        seasonalVariance = (1 - residualWeight) * (seasonalVariance + residualWeight * counted * counted);
        if (judge(residuals, residual, rules.seasonal(), baseline, fading, seasonal(ts),
                rules.seasonal().deviations() * Math.sqrt(seasonalVariance))) {
            raise(findings, metric, ts, value, expected, lastExcess, Detector.SEASONAL, rules.seasonal(),
                    String.format(Locale.ROOT, "%s %.4g is %.4g from its usual value at this hour of this day of the week (%.4g),"
                            + " beyond the range it has kept lately (%.4g to %.4g)", metric, value, residual, expected, lastLow, lastHigh));
        }
    }

    /**
     * Whether {@code signal} opens an episode of novelty in {@code envelope} (judged only when {@code judged}, past the
     * warm-up, at least {@code floor} from the envelope's centre); learns it either way.
     */
    private boolean judge(Envelope envelope, double signal, Novelty novelty, Baseline baseline, double fading, boolean judged,
                          double floor) {
        return judge(envelope, signal, novelty, novelty.margin(), baseline, fading, judged, floor);
    }

    /** As above, with a margin of its own rather than the detector's. */
    private boolean judge(Envelope envelope, double signal, Novelty novelty, double ownMargin, Baseline baseline, double fading,
                          boolean judged, double floor) {
        long maturity = judged ? envelope.maturity(readings) : 0;
        double excess = envelope.excess(signal);
        double margin = ownMargin + (maturity < baseline.settling() ? baseline.settlingMargin() : 0);
        boolean novel = novelty.enabled() && maturity > baseline.warmup() && excess > margin
                && Math.abs(signal - envelope.centre) > floor;
        lastExcess = excess;
        lastLow = envelope.low;
        lastHigh = envelope.high;
        lastCentre = envelope.centre;
        envelope.learn(signal, fading, envelope == shifts || envelope == variabilities ? SMOOTH_REACH : 1);
        return envelope.opensEpisode(novel, baseline.episodeGap());
    }

    /** Raises with the model's expectation (the level, the usual variability, the hour's profile) and the excess as score. */
    private static void raise(Findings findings, String metric, long ts, double value, double expected, double score,
                              Detector detector, Novelty novelty, String detail) {
        findings.raise(metric, ts, value, expected, score, detector, novelty.severity(), detail);
    }

    /** Encodes the state; after a single reading, only that reading (the rest follows from it). */
    void write(StateWriter out) {
        out.writeVarLong(readings);
        if (readings <= 1) {
            if (readings == 1) {
                out.writeLong(firstTsMs).writeDouble(level);
            }
            return;
        }
        out.writeLong(firstTsMs).writeDouble(level).writeDouble(slowLevel).writeDouble(variability).writeDouble(shiftSpread)
                .writeDouble(mean).writeDouble(variance).writeDouble(seasonalVariance);
        profile.writeHours(out);
        spikes.write(out);
        shifts.write(out);
        variabilities.write(out);
        residuals.write(out);
        writeRatios(out);
        writeWeekly(out);
    }

    /** Encodes the weekly part, the last of the state (what device state format 3 lacks). */
    void writeWeekly(StateWriter out) {
        profile.writeWeekdays(out);
        out.writeDouble(residualLevel);
    }

    /** Encodes the spike's ratios (what device state format 2 lacks). */
    void writeRatios(StateWriter out) {
        out.writeByte(ratiosOff ? 0 : 1);
        if (!ratiosOff) {
            ratios.write(out);
            if (ratios.seen > 0) {
                out.writeDouble(logLevel).writeDouble(logVariability);
            }
        }
    }

    /**
     * Reads what {@link #write} wrote in device state {@code format} (2 or later): format 2 lacks the spike's ratios,
     * formats 2 and 3 the profile's days of the week; what is lacking starts afresh.
     */
    static MetricBaseline read(StateReader in, int format) {
        MetricBaseline baseline = new MetricBaseline();
        long readings = in.readVarLong();
        if (readings <= 1) {
            if (readings == 1) {
                baseline.first(in.readLong(), in.readDouble());
            }
            return baseline;
        }
        baseline.readings = readings;
        baseline.firstTsMs = in.readLong();
        baseline.level = in.readDouble();
        baseline.slowLevel = in.readDouble();
        baseline.variability = in.readDouble();
        baseline.shiftSpread = in.readDouble();
        baseline.mean = in.readDouble();
        baseline.variance = in.readDouble();
        baseline.seasonalVariance = in.readDouble();
        baseline.profile.readHours(in);
        baseline.spikes = Envelope.read(in);
        baseline.shifts = Envelope.read(in);
        baseline.variabilities = Envelope.read(in);
        baseline.residuals = Envelope.read(in);
        if (format >= 3) {
            baseline.ratiosOff = in.readByte() == 0;
            if (!baseline.ratiosOff) {
                baseline.ratios = Envelope.read(in);
                if (baseline.ratios.seen > 0) {
                    baseline.logLevel = in.readDouble();
                    baseline.logVariability = in.readDouble();
                }
            }
        }
        if (format >= 4) {
            baseline.profile.readWeekdays(in);
            baseline.residualLevel = in.readDouble();
        }
        return baseline;
    }
}
