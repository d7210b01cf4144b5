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

    /** Off when {@code readings} is 0. */
    public record Stuck(int readings, double tolerance, Severity severity) {
        public Stuck {
            require(readings == 0 || readings >= 2, "stuck.readings must be 0 (off) or >= 2, got " + readings);
            require(tolerance >= 0, "stuck.tolerance must be >= 0, got " + tolerance);
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

    /** Everything that judges one device's metric. */
    public record MetricRules(Threshold threshold, ZScore zscore, RateOfChange rateOfChange, Stuck stuck) {
    }

    static void require(boolean condition, String message) {
        if (!condition) {
            throw new IllegalArgumentException(message);
        }
    }
}
