package io.sluice.load;

import java.util.BitSet;
import java.util.Map;

import org.HdrHistogram.Histogram;

/**
 * What a fleet run did: publishes sent and acknowledged, errors, the publish-to-ack latency
 * histogram (microseconds), every acknowledged sequence number per device, and the simulator's own
 * CPU time.
 */
public record FleetResult(FleetOptions options, long sent, long acked, long errors, double elapsedSeconds,
                          Histogram latencyMicros, Map<String, BitSet> ackedSeqs, int readingsPerMessage,
                          long simulatorCpuNanos) {

    public long ackedReadings() {
        return acked * readingsPerMessage;
    }

    public double ackedPerSecond() {
        return acked / elapsedSeconds;
    }

    /** The simulator's CPU time per published message, in microseconds. */
    public double simulatorCpuMicrosPerMessage() {
        return sent == 0 ? 0 : simulatorCpuNanos / 1000.0 / sent;
    }

    public double latencyMillis(double percentile) {
        return latencyMicros.getTotalCount() == 0 ? 0 : latencyMicros.getValueAtPercentile(percentile) / 1000.0;
    }
}
