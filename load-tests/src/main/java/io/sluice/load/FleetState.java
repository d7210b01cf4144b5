package io.sluice.load;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

import org.HdrHistogram.Recorder;

/**
 * What a fleet run's event loops share, and all they share: the counters the progress line and the result read, the
 * latency recorder, the tap for end-to-end samples, when publishing started, and until when refusals are taken as
 * credentials not loaded yet.
 */
final class FleetState {

    static final long LATENCY_MAX_MICROS = TimeUnit.SECONDS.toMicros(120);

    private final FleetOptions options;
    final Consumer<FleetSimulator.AckSample> ackTap;
    final Recorder latency = new Recorder(LATENCY_MAX_MICROS, 3);
    final AtomicLong sent = new AtomicLong();
    final AtomicLong acked = new AtomicLong();
    final AtomicLong errors = new AtomicLong();
    final AtomicLong connected = new AtomicLong();
    final Map<String, AtomicLong> refusals = new ConcurrentHashMap<>();
    volatile long startNanos;
    volatile long connectedPeak;
    volatile long refusalGraceUntil;

    FleetState(FleetOptions options, Consumer<FleetSimulator.AckSample> ackTap) {
        this.options = options;
        this.ackTap = ackTap;
    }

    FleetOptions options() {
        return options;
    }

    /** Seconds since publishing started. */
    double seconds(long nanos) {
        return (nanos - startNanos) / 1e9;
    }
}
