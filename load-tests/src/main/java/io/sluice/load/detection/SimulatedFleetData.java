package io.sluice.load.detection;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import io.sluice.load.detection.InjectedAnomaly.Kind;
import io.sluice.schemas.avro.DeviceSession;
import io.sluice.schemas.avro.TelemetryEvent;

/**
 * A fleet's readings over simulated hours, with anomalies injected and written down: environmental
 * sensors (temperature, humidity, pressure) on a daily cycle with noise, quantized as the simulator's
 * payloads are, one reading every {@code intervalMs}; abnormal disconnections at a low background rate.
 * After a warm-up, about a third of the devices get one anomaly each, kinds in turn; the fleet gets
 * disconnect storms. Deterministic for a seed.
 */
public final class SimulatedFleetData {

    public static final String[] METRICS = {"temperature", "humidity", "pressure"};
    private static final double DAY_MS = 24 * 60 * 60 * 1000.0;

    /** What happens at one instant: readings, then session events, in time order. */
    public interface Sink {
        void reading(TelemetryEvent event);

        void session(DeviceSession session);

        /** Called once per step of simulated time, after that step's records. */
        void step(long nowMs);
    }

    private final int devices;
    private final long startMs;
    private final long durationMs;
    private final long intervalMs;
    private final long warmupMs;
    private final Random random;
    private final List<InjectedAnomaly> truth = new ArrayList<>();
    private final Map<Integer, InjectedAnomaly> deviceInjection = new HashMap<>();
    private final List<Long> storms = new ArrayList<>();

    public SimulatedFleetData(int devices, long startMs, long durationMs, long intervalMs, long seed) {
        this.devices = devices;
        this.startMs = startMs;
        this.durationMs = durationMs;
        this.intervalMs = intervalMs;
        this.warmupMs = 45 * 60_000L;
        this.random = new Random(seed);
        plan();
    }

    public List<InjectedAnomaly> groundTruth() {
        return List.copyOf(truth);
    }

    private void plan() {
        Kind[] deviceKinds = {Kind.DRIFT_OUT_OF_RANGE, Kind.SPIKE, Kind.STEP, Kind.STUCK, Kind.SILENT};
        long span = durationMs - warmupMs - 30 * 60_000L;
        int k = 0;
        for (int d = 0; d < devices; d++) {
            if (d % 3 != 0) {
                continue;
            }
            Kind kind = deviceKinds[k++ % deviceKinds.length];
            long start = startMs + warmupMs + (long) (random.nextDouble() * span) / intervalMs * intervalMs + offset(d);
            String metric = switch (kind) {
                case DRIFT_OUT_OF_RANGE, STUCK -> "temperature";
                case SPIKE -> "humidity";
                case STEP -> "pressure";
                default -> "*";
            };
            long length = switch (kind) {
                case DRIFT_OUT_OF_RANGE -> 60 * intervalMs;
                case SPIKE -> 3 * intervalMs;
                case STEP -> 20 * intervalMs;
                case STUCK -> 50 * intervalMs;
                case SILENT -> 60 * intervalMs;
                default -> 0;
            };
            InjectedAnomaly injected = new InjectedAnomaly(kind, kind.detector, deviceId(d), metric, start, start + length - intervalMs);
            truth.add(injected);
            deviceInjection.put(d, injected);
        }
        for (int s = 0; s < 3; s++) {
            long minute = (startMs + warmupMs + (long) (random.nextDouble() * span)) / 60_000L * 60_000L;
            storms.add(minute);
            truth.add(new InjectedAnomaly(Kind.DISCONNECT_STORM, Kind.DISCONNECT_STORM.detector, "*fleet*", "disconnects", minute,
                    minute + 59_999));
        }
    }

    public static String deviceId(int d) {
        return String.format("env-%04d", d);
    }

    private long offset(int d) {
        return (d * 37L) % intervalMs;
    }

    /** Plays the whole span into {@code sink}, step by step. */
    public void play(Sink sink) {
        Random noise = new Random(random.nextLong());
        double[] phase = new double[devices];
        double[] base = new double[devices];
        double[] stuckValue = new double[devices];
        long seq = 0;
        for (int d = 0; d < devices; d++) {
            phase[d] = noise.nextDouble() * 2 * Math.PI;
            base[d] = 15 + noise.nextDouble() * 10;
        }
        for (long step = startMs; step < startMs + durationMs; step += intervalMs) {
            for (int d = 0; d < devices; d++) {
                long ts = step + offset(d);
                InjectedAnomaly injected = deviceInjection.get(d);
                boolean during = injected != null && ts >= injected.startMs() && ts <= injected.endMs();
                if (during && injected.kind() == Kind.SILENT) {
                    continue;
                }
                double day = Math.sin(2 * Math.PI * ts / DAY_MS + phase[d]);
                double temperature = base[d] + 5 * day + noise.nextGaussian() * 0.2;
                double humidity = 50 - 15 * day + noise.nextGaussian();
                double pressure = 1013 + noise.nextGaussian() * 2;
                if (during) {
                    long n = (ts - injected.startMs()) / intervalMs;
                    switch (injected.kind()) {
                        case DRIFT_OUT_OF_RANGE -> temperature += Math.min(n + 1, 30) * 1.0; // up 1 degree a reading, then holds
                        case SPIKE -> humidity += 25;
                        case STEP -> pressure += 40;
                        case STUCK -> temperature = n == 0 ? (stuckValue[d] = round(temperature, 2)) : stuckValue[d];
                        default -> { }
                    }
                }
                Map<String, Double> metrics = new HashMap<>();
                metrics.put("temperature", round(temperature, 2));
                metrics.put("humidity", round(humidity, 2));
                metrics.put("pressure", round(pressure, 1));
                sink.reading(TelemetryEvent.newBuilder().setDeviceId(deviceId(d)).setTsMs(ts).setSeq(seq++).setReceivedAtMs(ts + 20)
                        .setMetrics(metrics).build());
            }
            // Background: about two abnormal disconnections a minute across the fleet; storms: 60 in a minute.
            int disconnects = poisson(noise, 2.0 * intervalMs / 60_000.0);
            if (storms.contains(step / 60_000L * 60_000L)) {
                disconnects += (int) Math.round(60.0 * intervalMs / 60_000.0);
            }
            for (int i = 0; i < disconnects; i++) {
                String device = deviceId(noise.nextInt(devices));
                sink.session(DeviceSession.newBuilder().setDeviceId(device).setClientId(device).setBridgeId("bridge-1")
                        .setEvent("DISCONNECTED").setReason(noise.nextBoolean() ? "CONNECTION_LOST" : "KEEP_ALIVE_TIMEOUT")
                        .setAddress("10.0.0.1:1").setTransport("tcp").setProtocolVersion(5).setKeepAliveSeconds(30)
                        .setTsMs(step + noise.nextInt((int) intervalMs)).setConnectedMs(60_000).build());
            }
            sink.step(step + intervalMs);
        }
    }

    private static int poisson(Random random, double mean) {
        double limit = Math.exp(-mean);
        double product = random.nextDouble();
        int count = 0;
        while (product > limit) {
            product *= random.nextDouble();
            count++;
        }
        return count;
    }

    private static double round(double value, int decimals) {
        double scale = Math.pow(10, decimals);
        return Math.round(value * scale) / scale;
    }
}
