package io.sluice.schemas.mqtt;

/**
 * The bounds a payload must keep to be accepted.
 *
 * @param maxPayloadBytes largest payload accepted, in bytes
 * @param maxMetrics      most metrics one payload may carry
 * @param maxPastMs       how far before the receive time a ts may lie
 * @param maxFutureMs     how far after the receive time a ts may lie (device clocks drift)
 */
public record PayloadLimits(int maxPayloadBytes, int maxMetrics, long maxPastMs, long maxFutureMs) {

    public static final int DEFAULT_MAX_PAYLOAD_BYTES = 64 * 1024;
    public static final int DEFAULT_MAX_METRICS = 256;
    public static final long DEFAULT_MAX_PAST_MS = 30L * 24 * 60 * 60 * 1000;
    public static final long DEFAULT_MAX_FUTURE_MS = 10L * 60 * 1000;

    public static final PayloadLimits DEFAULTS = new PayloadLimits(
            DEFAULT_MAX_PAYLOAD_BYTES, DEFAULT_MAX_METRICS, DEFAULT_MAX_PAST_MS, DEFAULT_MAX_FUTURE_MS);

    public PayloadLimits {
        if (maxPayloadBytes < 16 || maxMetrics < 1 || maxPastMs < 0 || maxFutureMs < 0) {
            throw new IllegalArgumentException("payload limits must be positive: " + maxPayloadBytes + ", "
                    + maxMetrics + ", " + maxPastMs + ", " + maxFutureMs);
        }
    }
}
