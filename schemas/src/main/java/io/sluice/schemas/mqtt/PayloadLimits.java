package io.sluice.schemas.mqtt;

import java.time.Instant;
import java.util.regex.Pattern;

/**
 * The bounds a payload must keep to be accepted, whatever its format (Sluice's JSON object or SenML): its size, how
 * many metrics it carries, how far its readings' time may lie from the receive time, and what a metric's name is.
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

    private static final Pattern METRIC_NAME = Pattern.compile("[A-Za-z0-9_.:-]{1,64}");

    /** Refuses a reading time too far before or after the receive time. */
    void checkTimestamp(long tsMs, long receivedAtMs) throws InvalidPayloadException {
        if (tsMs < receivedAtMs - maxPastMs || tsMs > receivedAtMs + maxFutureMs) {
            throw new InvalidPayloadException(PayloadRejection.TIMESTAMP_OUT_OF_RANGE,
                    "ts " + Instant.ofEpochMilli(tsMs) + " is outside [receive time - " + maxPastMs
                            + " ms, receive time + " + maxFutureMs + " ms]");
        }
    }

    /** A metric's name: 1 to 64 of A-Z a-z 0-9 _ . : - */
    static boolean isValidMetricName(String name) {
        return METRIC_NAME.matcher(name).matches();
    }
}
