package io.sluice.cli.chaos;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import io.sluice.clickhouse.ClickHouseQueries;
import io.sluice.load.FleetOptions;
import io.sluice.load.FleetRun;
import io.sluice.load.FleetSimulator;
import io.sluice.load.LossCheck;

/**
 * One scenario under load: a fleet publishes at QoS 1 through HAProxy while the fault is injected {@code faultAfter}
 * into the run and healed once it has lasted its time; then every acknowledged reading is looked up in ClickHouse.
 * Besides sent, acknowledged, stored, lost and duplicated, two recovery times, both counted from the fault: until
 * acknowledgements run at 90% of the offered rate again for good (0 when they never fell below it), and until
 * ClickHouse holds every message that was acknowledged when the heal was done.
 */
public final class ChaosRun {

    /** What a scenario did; times in seconds from the fault, -1 when it did not happen within the run. */
    public record Result(ChaosScenario scenario, long sent, long acknowledged, long stored, long lost, long duplicated,
                         double acksBackAfter, double storedCaughtUpAfter, String failure) {
        public boolean passed() {
            return failure == null && lost == 0 && duplicated == 0 && acknowledged > 0;
        }
    }

    private ChaosRun() {
    }

    public static Result run(ChaosScenario scenario, ChaosStack stack, FleetOptions fleet, Duration faultAfter, Duration outage,
                             ClickHouseQueries clickHouse, Path credentials, Path reportDir, PrintStream out) throws Exception {
        DeviceNetwork network = null;
        if (scenario.needsDeviceNetwork()) {
            network = DeviceNetwork.create(new java.net.InetSocketAddress(fleet.host(), fleet.port()), stack.logs());
            fleet = new FleetOptions(DeviceNetwork.DEVICE_ADDRESS, DeviceNetwork.PORT, fleet.devices(), fleet.profile(), fleet.seconds(),
                    fleet.qos(), fleet.inFlightPerDevice(), fleet.runId(), fleet.transport(), fleet.format(), fleet.fleetSecret(),
                    fleet.injections(), fleet.pipeline());
        }
        SmallDisk disk = null;
        try {
            if (scenario.needsSmallKafkaDisk()) {
                stack.stop("kafka");
                disk = SmallDisk.over(stack.kafkaDataDir());
                stack.up();
            }
            return run(scenario, new ChaosScenario.Target(stack, network, disk), fleet, faultAfter, outage, clickHouse, credentials,
                    reportDir, out);
        } finally {
            if (network != null) {
                network.close();
            }
            if (disk != null) {
                if (stack.running("kafka")) {
                    stack.stop("kafka");
                }
                disk.close();
                stack.up();
            }
        }
    }

    private static Result run(ChaosScenario scenario, ChaosScenario.Target target, FleetOptions fleet, Duration faultAfter,
                              Duration outage, ClickHouseQueries clickHouse, Path credentials, Path reportDir, PrintStream out)
            throws Exception {
        Timeline timeline = new Timeline(fleet.profile().peak());
        ExecutorService injector = Executors.newSingleThreadExecutor(r -> new Thread(r, "chaos-" + scenario.label()));
        Future<?> fault = injector.submit(() -> {
            timeline.awaitElapsed(faultAfter.toMillis() / 1000.0);
            out.printf("[chaos] %s: %s%n", scenario.label(), scenario.description());
            timeline.faultAt(System.nanoTime());
            scenario.breakIt(target);
            Thread.sleep(scenario.down(outage).toMillis());
            scenario.heal(target);
            long healedAt = System.nanoTime();
            timeline.healedAt(healedAt);
            out.printf("[chaos] healed %.1f s after the fault%n", timeline.secondsSinceFault(healedAt));
            timeline.awaitStoredCaughtUp(clickHouse, fleet.runId());
            return null;
        });
        FleetRun.Outcome outcome;
        try {
            outcome = FleetRun.run(fleet, clickHouse, credentials, reportDir, Duration.ofSeconds(120), out, timeline::onProgress);
        } finally {
            injector.shutdown();
        }
        String failure = null;
        try {
            fault.get(5, TimeUnit.MINUTES);
        } catch (java.util.concurrent.ExecutionException e) {
            failure = "the fault could not be injected or healed: " + e.getCause().getMessage();
        } catch (java.util.concurrent.TimeoutException e) {
            fault.cancel(true);
            failure = "ClickHouse did not catch up within 5 minutes of the run's end";
        }
        LossCheck check = outcome.check();
        return new Result(scenario, outcome.result().sent(), outcome.result().acked(), check.stored(), check.lost(), check.duplicated(),
                timeline.acksBackAfter(), timeline.storedCaughtUpAfter(), failure);
    }

    /** The run's seconds as the fleet reports them, and when the fault began and was healed. */
    private static final class Timeline {
        private final double targetRate;
        private volatile double elapsed;
        private volatile long faultAt;
        private volatile long healedAt;
        private volatile double acksBackAfter;
        private volatile double storedCaughtUpAfter = -1;
        private long previousAcked;
        private double previousElapsed;

        Timeline(double targetRate) {
            this.targetRate = targetRate;
        }

        synchronized void onProgress(FleetSimulator.Progress progress) {
            double seconds = progress.elapsedSeconds() - previousElapsed;
            double rate = seconds > 0 ? (progress.acked() - previousAcked) / seconds : 0;
            previousAcked = progress.acked();
            previousElapsed = progress.elapsedSeconds();
            elapsed = progress.elapsedSeconds();
            // A second short of the rate asked for, since the fault: acknowledgements are back only after the last one.
            if (faultAt != 0 && progress.targetRate() >= 0.9 * targetRate && rate < 0.9 * progress.targetRate()) {
                acksBackAfter = secondsSinceFault(System.nanoTime());
            }
        }

        void awaitElapsed(double seconds) throws InterruptedException {
            while (elapsed < seconds) {
                Thread.sleep(100);
            }
        }

        void faultAt(long nanos) {
            faultAt = nanos;
        }

        void healedAt(long nanos) {
            healedAt = nanos;
        }

        double secondsSinceFault(long nanos) {
            return (nanos - faultAt) / 1e9;
        }

        /** Waits until ClickHouse holds every message acknowledged by now (the heal). */
        void awaitStoredCaughtUp(ClickHouseQueries clickHouse, String runId) throws Exception {
            long acked = previousAcked;
            String sql = "SELECT uniqExact(device_id, seq) FROM sluice.telemetry WHERE device_id LIKE '" + runId + "-%'";
            while (true) {
                try {
                    if (clickHouse.number(sql) >= acked) {
                        storedCaughtUpAfter = secondsSinceFault(System.nanoTime());
                        return;
                    }
                } catch (java.io.IOException e) {
                    // ClickHouse still coming back: ask again
                }
                Thread.sleep(250);
            }
        }

        double acksBackAfter() {
            return acksBackAfter;
        }

        double storedCaughtUpAfter() {
            return storedCaughtUpAfter;
        }
    }
}
