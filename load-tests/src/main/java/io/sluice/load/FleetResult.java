package io.sluice.load;

import java.util.BitSet;
import java.util.List;
import java.util.Map;

import org.HdrHistogram.Histogram;

/**
 * What a fleet run did: publishes sent and acknowledged, errors, the publish-to-ack latency
 * histogram (microseconds), every acknowledged sequence number per device and (SenML runs only) the
 * time of each reading sent, the simulator's own CPU time, a line per second, and connection refusals by reason.
 */
public record FleetResult(FleetOptions options, long sent, long acked, long errors, double elapsedSeconds,
                          Histogram latencyMicros, Map<String, BitSet> ackedSeqs, Map<String, long[]> readingTimes,
                          int readingsPerMessage, long simulatorCpuNanos, long eventLoopCpuNanos, List<Second> timeline, Map<String, Long> refusals,
                          long peakConnections) {

    /** One second of the run: the rate asked for, what was sent, acknowledged and failed in it, latency within it. */
    public record Second(double t, double targetRate, long sent, long acked, long errors, long connections, double p50Ms,
                         double p99Ms, double maxMs) {
    }

    public long ackedReadings() {
        return acked * readingsPerMessage;
    }

    public double ackedPerSecond() {
        return acked / elapsedSeconds;
    }

    /**
     * The simulator's CPU time per published message while it published, in microseconds: the whole
     * process, so JIT warm-up and end-to-end sampling too (which weigh most at low rates).
     */
    public double simulatorCpuMicrosPerMessage() {
        return sent == 0 ? 0 : simulatorCpuNanos / 1000.0 / sent;
    }

    /** The CPU time of the simulator's event loops per published message, in microseconds: the publishing work alone. */
    public double eventLoopCpuMicrosPerMessage() {
        return sent == 0 ? 0 : eventLoopCpuNanos / 1000.0 / sent;
    }

    public double latencyMillis(double percentile) {
        return latencyMicros.getTotalCount() == 0 ? 0 : latencyMicros.getValueAtPercentile(percentile) / 1000.0;
    }
}
