package io.sluice.load.detection;

import java.util.Locale;

/**
 * One anomaly the simulator put into the fleet's data: the ground truth a detector is scored against.
 *
 * @param kind     what was done to the signal
 * @param detector the detector meant to catch it
 * @param deviceId the device, or {@code *fleet*}
 * @param metric   the metric, {@code *} for a silent device, {@code disconnects} for the fleet
 * @param startMs  first affected reading (or bucket), epoch ms
 * @param endMs    last affected reading, epoch ms
 */
public record InjectedAnomaly(Kind kind, String detector, String deviceId, String metric, long startMs, long endMs) {

    /** The kinds of injection, each with the detector meant to catch it. */
    public enum Kind {
        /** A level far outside the sensor's range, reached by a drift. */
        DRIFT_OUT_OF_RANGE("THRESHOLD"),
        /** A few readings many standard deviations off, inside the range. */
        SPIKE("ZSCORE"),
        /** A sudden jump that stays, then a sudden return. */
        STEP("RATE_OF_CHANGE"),
        /** The sensor repeats its last value. */
        STUCK("STUCK"),
        /** The device sends nothing for a while. */
        SILENT("SILENCE"),
        /** Many devices lose their connections within a minute. */
        DISCONNECT_STORM("DISCONNECT_SPIKE");

        final String detector;

        Kind(String detector) {
            this.detector = detector;
        }
    }

    public String toJson() {
        return String.format(Locale.ROOT,
                "{\"kind\":\"%s\",\"detector\":\"%s\",\"deviceId\":\"%s\",\"metric\":\"%s\",\"startMs\":%d,\"endMs\":%d}",
                kind, detector, deviceId, metric, startMs, endMs);
    }
}
