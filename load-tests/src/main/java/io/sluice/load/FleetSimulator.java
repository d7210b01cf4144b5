package io.sluice.load;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

import org.HdrHistogram.Histogram;

import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;

/**
 * A fleet of simulated devices, each its own MQTT 3.1.1 connection, client id and (optionally)
 * credentials, over TCP or WebSocket, publishing at the rate its {@link RateProfile} gives. Built on
 * Netty directly, so that the simulator costs little per message: each event loop owns its devices
 * (their channels are registered on it), builds payloads into a reused buffer, pipelines publishes
 * up to the in-flight limit and flushes once per device per tick; nothing is shared between threads
 * but counters. Every acknowledged sequence number (and its reading time) is kept per device, for
 * the loss check against ClickHouse. A device whose connection closes connects again, as real
 * devices do; its unacknowledged publishes count as errors. A fleet with credentials just written to
 * the bridges' file is given 10 s for them to be loaded: refusals meanwhile are retried, not counted.
 */
public final class FleetSimulator {

    private static final int LOOPS = 2;
    /** How long refusals of a fleet with credentials count as "not reloaded yet" rather than as errors. */
    private static final long CREDENTIALS_GRACE_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final FleetOptions options;
    private final List<LiveInjection.Planned> injections;
    private final FleetState state;

    private FleetSimulator(FleetOptions options, List<LiveInjection.Planned> injections, Consumer<AckSample> ackTap) {
        this.options = options;
        this.injections = injections;
        this.state = new FleetState(options, ackTap);
    }

    /** What the fleet has done so far, for a live progress line. */
    public record Progress(double elapsedSeconds, double targetRate, long sent, long acked, long errors, long connections,
                           Histogram interval) {
    }

    /** An acknowledged publish, offered now and then for end-to-end sampling: when it was published (wall clock). */
    public record AckSample(String deviceId, long seq, long tsMs, long publishedAtMs) {
    }

    /** Runs the fleet for its duration, calling {@code progress} about once a second, and returns what it did. */
    public static FleetResult run(FleetOptions options, Consumer<Progress> progress) throws Exception {
        return run(options, List.of(), progress, sample -> { });
    }

    /**
     * Runs the fleet with anomalies injected as {@code injections} plan, offering every 256th
     * acknowledgement to {@code ackTap} (on an event loop: it must return at once).
     */
    public static FleetResult run(FleetOptions options, List<LiveInjection.Planned> injections, Consumer<Progress> progress,
                                  Consumer<AckSample> ackTap) throws Exception {
        return new FleetSimulator(options, injections, ackTap).run(progress);
    }

    private FleetResult run(Consumer<Progress> progress) throws Exception {
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(LOOPS, NioIoHandler.newFactory());
        Map<String, LiveInjection.Planned> injected = new HashMap<>();
        injections.forEach(planned -> injected.put(planned.deviceId, planned));
        try {
            List<FleetDriver> drivers = new ArrayList<>();
            List<EventLoop> loops = new ArrayList<>();
            group.forEach(executor -> loops.add((EventLoop) executor));
            for (int k = 0; k < loops.size(); k++) {
                List<SimulatedDevice> mine = new ArrayList<>();
                for (int i = k; i < options.devices(); i += loops.size()) {
                    SimulatedDevice device = new SimulatedDevice(options.deviceId(i), i, options.inFlightPerDevice());
                    device.signal.injection = injected.get(device.id);
                    mine.add(device);
                }
                if (!mine.isEmpty()) {
                    drivers.add(new FleetDriver(state, loops.get(k), mine, (double) mine.size() / options.devices()));
                }
            }
            state.refusalGraceUntil = options.fleetSecret() == null ? 0 : System.nanoTime() + CREDENTIALS_GRACE_NANOS;
            List<CompletableFuture<Void>> connecting = new ArrayList<>();
            for (FleetDriver driver : drivers) {
                connecting.add(driver.connectAll());
            }
            CompletableFuture.allOf(connecting.toArray(CompletableFuture[]::new))
                    .get(60 + options.devices() / 50, TimeUnit.SECONDS);
            // The simulator's cost per message is taken while it publishes: start-up and connecting are not messages.
            long cpuBefore = processCpuNanos();
            long loopsCpuBefore = loopsCpuNanos(drivers);
            state.startNanos = System.nanoTime();
            Histogram total = new Histogram(FleetState.LATENCY_MAX_MICROS, 3);
            List<CompletableFuture<Void>> finished = new ArrayList<>();
            for (FleetDriver driver : drivers) {
                finished.add(driver.publishFor());
            }
            CompletableFuture<Void> all = CompletableFuture.allOf(finished.toArray(CompletableFuture[]::new));
            long deadline = state.startNanos + TimeUnit.SECONDS.toNanos(options.seconds() + 30L);
            List<FleetResult.Second> timeline = new ArrayList<>();
            long lastSent = 0;
            long lastAcked = 0;
            long lastErrors = 0;
            while (!all.isDone() && System.nanoTime() < deadline) {
                try {
                    all.get(1, TimeUnit.SECONDS);
                } catch (TimeoutException stillRunning) {
                    // a second has passed: report progress below
                }
                Histogram interval = state.latency.getIntervalHistogram();
                total.add(interval);
                double elapsed = state.seconds(System.nanoTime());
                double target = elapsed <= options.seconds() ? options.profile().rateAt(elapsed) : 0;
                long sentNow = state.sent.get();
                long ackedNow = state.acked.get();
                long errorsNow = state.errors.get();
                timeline.add(new FleetResult.Second(elapsed, target, sentNow - lastSent, ackedNow - lastAcked, errorsNow - lastErrors,
                        state.connected.get(), percentileMillis(interval, 50), percentileMillis(interval, 99),
                        percentileMillis(interval, 100)));
                lastSent = sentNow;
                lastAcked = ackedNow;
                lastErrors = errorsNow;
                progress.accept(new Progress(elapsed, target, sentNow, ackedNow, errorsNow, state.connected.get(), interval));
            }
            double elapsed = state.seconds(System.nanoTime());
            long cpu = processCpuNanos() - cpuBefore;
            long loopsCpu = loopsCpuNanos(drivers) - loopsCpuBefore;
            total.add(state.latency.getIntervalHistogram());
            Map<String, BitSet> ackedSeqs = new HashMap<>();
            Map<String, long[]> readingTimes = new HashMap<>();
            for (FleetDriver driver : drivers) {
                driver.collect(ackedSeqs, readingTimes);
            }
            for (FleetDriver driver : drivers) {
                driver.disconnectAll().get(30, TimeUnit.SECONDS);
            }
            Map<String, Long> refused = new HashMap<>();
            state.refusals.forEach((reason, count) -> refused.put(reason, count.get()));
            return new FleetResult(options, state.sent.get(), state.acked.get(), state.errors.get(), elapsed, total, ackedSeqs, readingTimes,
                    DeviceSignal.METRICS.length, cpu, loopsCpu, timeline, refused, state.connectedPeak);
        } finally {
            group.shutdownGracefully(0, 2, TimeUnit.SECONDS).await(10, TimeUnit.SECONDS);
        }
    }

    private static double percentileMillis(Histogram histogram, double percentile) {
        return histogram.getTotalCount() == 0 ? 0 : histogram.getValueAtPercentile(percentile) / 1000.0;
    }

    /** The CPU time the event loops (the simulator's publishing work itself) have used, each read on its own thread. */
    private static long loopsCpuNanos(List<FleetDriver> drivers) throws Exception {
        long total = 0;
        for (FleetDriver driver : drivers) {
            total += driver.loop.submit(() -> ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime()).get(10, TimeUnit.SECONDS);
        }
        return total;
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

}
