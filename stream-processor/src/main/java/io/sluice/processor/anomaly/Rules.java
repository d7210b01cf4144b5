package io.sluice.processor.anomaly;

/**
 * The resolved settings of every detector, as records: what {@link DetectionRules} hands a detector
 * once the defaults and overrides are merged. Each constructor checks its own bounds.
 */
public final class Rules {

    private Rules() {
    }

    /** Raise when at least {@code m} of the last {@code n} readings hit, so that one odd reading does not flap an alert. */
    public record Debounce(int m, int n) {
        public Debounce {
            require(n >= 1 && n <= 32 && m >= 1 && m <= n, "debounce needs 1 <= m <= n <= 32, got m=" + m + " n=" + n);
        }
    }

    /** Off when both bounds are infinite. */
    public record Threshold(double min, double max, Severity severity, Debounce debounce) {
        public Threshold {
            require(!Double.isNaN(min) && !Double.isNaN(max) && min <= max, "threshold needs min <= max, got " + min + " > " + max);
        }

        public boolean enabled() {
            return min != Double.NEGATIVE_INFINITY || max != Double.POSITIVE_INFINITY;
        }
    }

    /** Exponentially weighted mean and variance with weight {@code alpha}; judged after {@code warmup} readings. */
    public record ZScore(boolean enabled, double threshold, int warmup, double alpha, double minStd, Severity severity,
                         Debounce debounce) {
        public ZScore {
            require(threshold > 0, "zscore.threshold must be > 0, got " + threshold);
            require(warmup >= 2, "zscore.warmup must be >= 2, got " + warmup);
            require(alpha > 0 && alpha < 1, "zscore.alpha must be in (0, 1), got " + alpha);
            require(minStd >= 0, "zscore.min_std must be >= 0, got " + minStd);
        }
    }

    /** Off when {@code maxPerSecond} is infinite. */
    public record RateOfChange(double maxPerSecond, Severity severity, Debounce debounce) {
        public RateOfChange {
            require(maxPerSecond > 0, "rate_of_change.max_per_second must be > 0, got " + maxPerSecond);
        }

        public boolean enabled() {
            return maxPerSecond != Double.POSITIVE_INFINITY;
        }
    }

    /**
     * Off when {@code readings} is 0. With {@code normalRuns} above 0 a run must also be that many times longer than the
     * longest flat run the metric showed while it was varying (remembered as long as the baseline's {@code memory}), and is
     * judged once the baseline is warm: a counter or a quantised signal that often repeats itself is not stuck.
     */
    public record Stuck(int readings, double tolerance, double normalRuns, Severity severity) {
        public Stuck {
            require(readings == 0 || readings >= 2, "stuck.readings must be 0 (off) or >= 2, got " + readings);
            require(tolerance >= 0, "stuck.tolerance must be >= 0, got " + tolerance);
            require(normalRuns == 0 || normalRuns >= 1, "stuck.normal_runs must be 0 (off) or >= 1, got " + normalRuns);
        }

        public boolean enabled() {
            return readings > 0;
        }
    }

    /** A device's silence: quiet for {@code intervals} times its usual interval, and at least {@code minMs}. */
    public record Silence(boolean enabled, double intervals, long minMs, int warmup, Severity severity) {
        public Silence {
            require(intervals > 1, "silence.intervals must be > 1, got " + intervals);
            require(minMs >= 0, "silence.min_ms must be >= 0, got " + minMs);
            require(warmup >= 1, "silence.warmup must be >= 1, got " + warmup);
        }
    }

    /**
     * Fleet disconnections per bucket against an EWMA baseline of earlier buckets: a spike is at least
     * {@code minDisconnects} and above mean + {@code stdDevs} standard deviations (at least the Poisson spread).
     */
    public record DisconnectSpike(boolean enabled, long bucketMs, double stdDevs, int minDisconnects, int warmupBuckets,
                                  double alpha, Severity severity) {
        public DisconnectSpike {
            require(bucketMs >= 1000, "disconnect_spike.bucket_ms must be >= 1000, got " + bucketMs);
            require(stdDevs > 0, "disconnect_spike.std_devs must be > 0, got " + stdDevs);
            require(minDisconnects >= 1, "disconnect_spike.min_disconnects must be >= 1, got " + minDisconnects);
            require(warmupBuckets >= 1, "disconnect_spike.warmup_buckets must be >= 1, got " + warmupBuckets);
            require(alpha > 0 && alpha < 1, "disconnect_spike.alpha must be in (0, 1), got " + alpha);
        }
    }

    /**
     * What the baseline detectors ({@link Detector#SPIKE}, {@link Detector#LEVEL_SHIFT}, {@link Detector#VARIANCE_CHANGE},
     * {@link Detector#SEASONAL}) share: they learn for {@code warmup} readings; until {@code settling} readings they ask
     * {@code settlingMargin} more of a novelty; what they learned fades with a half-life of {@code memory} readings; an
     * episode ends after {@code episodeGap} readings in a row that are not novel.
     */
    public record Baseline(int warmup, int settling, double settlingMargin, int memory, int episodeGap) {
        public Baseline {
            require(warmup >= 10, "baseline.warmup must be >= 10, got " + warmup);
            require(settling >= warmup, "baseline.settling must be >= baseline.warmup, got " + settling);
            require(settlingMargin >= 0, "baseline.settling_margin must be >= 0, got " + settlingMargin);
            require(memory >= 100, "baseline.memory must be >= 100 readings, got " + memory);
            require(episodeGap >= 1, "baseline.episode_gap must be >= 1, got " + episodeGap);
        }

        /** The share of what was learned that fades at each reading. */
        public double fading() {
            return -Math.expm1(-Math.log(2) / memory);
        }
    }

    /**
     * One baseline detector: it raises when its signal goes beyond the range it has shown lately by more than {@code margin}
     * of that range, and lies at least {@code deviations} of the metric's typical deviations from the signal's centre.
     */
    public record Novelty(boolean enabled, double margin, double deviations, Severity severity) {
        public Novelty {
            require(margin >= 0 && margin <= 10, "margin must be in [0, 10], got " + margin);
            require(deviations >= 0 && deviations <= 100, "deviations must be in [0, 100], got " + deviations);
        }
    }

    /** Everything that judges one device's metric. */
    public record MetricRules(Threshold threshold, ZScore zscore, RateOfChange rateOfChange, Stuck stuck, Baseline baseline,
                              Novelty spike, Novelty levelShift, Novelty varianceChange, Novelty seasonal) {
    }

    static void require(boolean condition, String message) {
        if (!condition) {
            throw new IllegalArgumentException(message);
        }
    }
}
