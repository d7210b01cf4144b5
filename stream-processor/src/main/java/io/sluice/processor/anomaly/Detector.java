package io.sluice.processor.anomaly;

/** The detectors, as named in the rules file (lower case) and in {@code sluice.anomalies.detector}. */
public enum Detector {
    /** A reading outside a static [min, max]. */
    THRESHOLD,
    /** A reading far from its metric's rolling mean, in rolling standard deviations (EWMA), after a warm-up. Off by default. */
    ZSCORE,
    /** A change between consecutive readings faster than a limit per second. */
    RATE_OF_CHANGE,
    /** The same value (within a tolerance) for N readings in a row, far longer than the metric's own flat runs. */
    STUCK,
    /** A reading beyond the range the metric has shown lately (a spike or a dip). */
    SPIKE,
    /** The metric's level (a spike-proof moving average) beyond the range it has shown lately. */
    LEVEL_SHIFT,
    /** The metric's variability (mean absolute deviation from its level) beyond the range it has shown lately. */
    VARIANCE_CHANGE,
    /** A reading beyond the usual distance from its profile (hour of day, day of week), on a metric with a daily or weekly cycle. */
    SEASONAL,
    /** A device quiet for N times its usual interval between readings. */
    SILENCE,
    /** Fleet-level: more abnormal disconnections in a bucket than its own baseline explains. */
    DISCONNECT_SPIKE
}
