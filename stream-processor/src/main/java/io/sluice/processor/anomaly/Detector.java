package io.sluice.processor.anomaly;

/** The detectors, as named in the rules file (lower case) and in {@code sluice.anomalies.detector}. */
public enum Detector {
    /** A reading outside a static [min, max]. */
    THRESHOLD,
    /** A reading far from its metric's rolling mean, in rolling standard deviations (EWMA), after a warm-up. */
    ZSCORE,
    /** A change between consecutive readings faster than a limit per second. */
    RATE_OF_CHANGE,
    /** The same value (within a tolerance) for N readings in a row: a flat-lined sensor. */
    STUCK,
    /** A device quiet for N times its usual interval between readings. */
    SILENCE,
    /** Fleet-level: more abnormal disconnections in a bucket than its own baseline explains. */
    DISCONNECT_SPIKE
}
