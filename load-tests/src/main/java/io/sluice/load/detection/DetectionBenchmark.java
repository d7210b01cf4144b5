package io.sluice.load.detection;

import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;

import io.sluice.load.detection.InjectedAnomaly.Kind;
import io.sluice.processor.PartitionActivity;
import io.sluice.processor.ProcessorConfig;
import io.sluice.processor.TelemetryTopology;
import io.sluice.processor.anomaly.DetectionRules;
import io.sluice.processor.anomaly.MetricDetectors;
import io.sluice.processor.anomaly.MetricState;
import io.sluice.processor.anomaly.Rules;
import io.sluice.processor.anomaly.RulesException;
import io.sluice.schemas.avro.Anomaly;
import io.sluice.schemas.avro.DeviceSession;
import io.sluice.schemas.avro.TelemetryEvent;
import io.sluice.schemas.kafka.Topics;

/**
 * {@code ./sluice bench detection}: how well the detectors find what was injected. A simulated fleet
 * ({@link SimulatedFleetData}) with anomalies of every kind and its ground-truth file is played through
 * the real processor topology (Kafka Streams' test driver: the same code, no broker, simulated time),
 * and every anomaly it raises is matched against the ground truth.
 *
 * <ul>
 *   <li>Precision of a detector: the share of its alerts that fall on an injected anomaly (same device,
 *       same metric, from its start to {@value #TOLERANCE_MINUTES} minutes after its end). An alert on
 *       clean data is a false positive.</li>
 *   <li>Recall of a detector: the share of the anomalies injected for it that it raised an alert on.</li>
 * </ul>
 */
public final class DetectionBenchmark {

    static final int TOLERANCE_MINUTES = 5;

    public record Score(String detector, int alerts, int truePositives, int injected, int found) {
        double precision() {
            return alerts == 0 ? (injected == 0 ? 1.0 : 0.0) : (double) truePositives / alerts;
        }

        double recall() {
            return injected == 0 ? 1.0 : (double) found / injected;
        }
    }

    /**
     * The scores, and what a reading cost in CPU: through the whole topology (test driver, serdes, state store, the
     * simulator generating it) and in the detectors alone.
     */
    public record Result(List<Score> scores, List<InjectedAnomaly> truth, List<Anomaly> alerts, long readings, double seconds,
                         double topologyMicrosPerReading, double detectionMicrosPerReading) {
    }

    private DetectionBenchmark() {
    }

    public static DetectionRules fleetRules() {
        try (InputStream in = DetectionBenchmark.class.getResourceAsStream("/detection/fleet-rules.yaml")) {
            return DetectionRules.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException | RulesException e) {
            throw new IllegalStateException("the benchmark's rules file is broken: " + e.getMessage(), e);
        }
    }

    public static Result run(int devices, Duration span, long seed) {
        long start = Instant.parse("2026-01-05T00:00:00Z").toEpochMilli();
        SimulatedFleetData fleet = new SimulatedFleetData(devices, start, span.toMillis(), 10_000, seed);
        ProcessorConfig config = new ProcessorConfig(Map.of(ProcessorConfig.IDLE_MS, 60_000L));
        Properties properties = config.streamsProperties();
        properties.put(StreamsConfig.STATE_DIR_CONFIG, tempStateDir());
        ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
        long started = System.nanoTime();
        long cpuBefore = cpu.getCurrentThreadCpuTime();
        long[] readings = {0};
        List<Anomaly> alerts = new ArrayList<>();
        try (TopologyTestDriver driver = new TopologyTestDriver(
                TelemetryTopology.build(config, fleetRules(), PartitionActivity.unobserved()), properties, Instant.ofEpochMilli(start))) {
            TestInputTopic<String, TelemetryEvent> raw = driver.createInputTopic(Topics.TELEMETRY_RAW.name(),
                    Topics.TELEMETRY_RAW.keySerde().serializer(), Topics.TELEMETRY_RAW.valueSerde().serializer());
            TestInputTopic<String, DeviceSession> sessions = driver.createInputTopic(Topics.DEVICE_SESSIONS.name(),
                    Topics.DEVICE_SESSIONS.keySerde().serializer(), Topics.DEVICE_SESSIONS.valueSerde().serializer());
            TestOutputTopic<String, Anomaly> anomalies = driver.createOutputTopic(Topics.ANOMALIES.name(),
                    Topics.ANOMALIES.keySerde().deserializer(), Topics.ANOMALIES.valueSerde().deserializer());
            fleet.play(new SimulatedFleetData.Sink() {
                @Override
                public void reading(TelemetryEvent event) {
                    readings[0] += event.getMetrics().size();
                    raw.pipeInput(event.getDeviceId(), event, event.getReceivedAtMs());
                }

                @Override
                public void session(DeviceSession session) {
                    sessions.pipeInput(session.getDeviceId(), session, session.getTsMs());
                }

                @Override
                public void step(long nowMs) {
                    // The processors' wall-clock schedules (silence, quiet windows) run once per simulated step.
                    driver.advanceWallClockTime(Duration.ofSeconds(1));
                    alerts.addAll(anomalies.readValuesToList());
                }
            });
            alerts.addAll(anomalies.readValuesToList());
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        double topologyMicros = (cpu.getCurrentThreadCpuTime() - cpuBefore) / 1e3 / readings[0];
        double detectionMicros = detectionMicrosPerReading(new SimulatedFleetData(devices, start, span.toMillis(), 10_000, seed), cpu);
        return new Result(score(fleet.groundTruth(), alerts), fleet.groundTruth(), alerts, readings[0], seconds, topologyMicros,
                detectionMicros);
    }

    /** One reading of one metric, with the state and rules it is judged by: the detectors' input, gathered ahead. */
    private record Judged(String metric, long ts, double value, Rules.MetricRules rules, MetricState state) {
    }

    /** The detectors alone on every reading of the same fleet played again (gathered first, so that only they are timed). */
    private static double detectionMicrosPerReading(SimulatedFleetData fleet, ThreadMXBean cpu) {
        DetectionRules rules = fleetRules();
        Map<String, MetricState> states = new HashMap<>();
        List<Judged> readings = new ArrayList<>();
        fleet.play(new SimulatedFleetData.Sink() {
            @Override
            public void reading(TelemetryEvent event) {
                event.getMetrics().forEach((metric, value) -> readings.add(new Judged(metric, event.getTsMs(), value,
                        rules.forMetric(event.getDeviceId(), metric),
                        states.computeIfAbsent(event.getDeviceId() + '/' + metric, key -> new MetricState()))));
            }

            @Override
            public void session(DeviceSession session) {
            }

            @Override
            public void step(long nowMs) {
            }
        });
        MetricDetectors.Findings ignore = (metric, ts, value, expected, score, detector, severity, detail) -> { };
        long before = cpu.getCurrentThreadCpuTime();
        for (Judged reading : readings) {
            MetricDetectors.judge(reading.metric(), reading.ts(), reading.value(), reading.rules(), reading.state(), ignore);
        }
        return (cpu.getCurrentThreadCpuTime() - before) / 1e3 / readings.size();
    }

    /**
     * One row per detector meant for a kind of injection, then one per other detector that raised anything (the
     * baseline detectors: nothing is injected for them alone, so their recall is 1 by definition and their precision
     * is what they are judged on).
     */
    static List<Score> score(List<InjectedAnomaly> truth, List<Anomaly> alerts) {
        long tolerance = TOLERANCE_MINUTES * 60_000L;
        Map<String, int[]> byDetector = new java.util.LinkedHashMap<>();
        for (Kind kind : Kind.values()) {
            byDetector.put(kind.detector, new int[4]); // alerts, true positives, injected, found
        }
        for (InjectedAnomaly injected : truth) {
            int[] figures = byDetector.get(injected.detector());
            figures[2]++;
            boolean found = alerts.stream().anyMatch(alert -> alert.getDetector().equals(injected.detector()) && matches(alert, injected,
                    tolerance));
            if (found) {
                figures[3]++;
            }
        }
        for (Anomaly alert : alerts) {
            int[] figures = byDetector.computeIfAbsent(alert.getDetector(), detector -> new int[4]);
            figures[0]++;
            if (truth.stream().anyMatch(injected -> matches(alert, injected, tolerance))) {
                figures[1]++;
            }
        }
        List<Score> scores = new ArrayList<>();
        byDetector.forEach((detector, f) -> scores.add(new Score(detector, f[0], f[1], f[2], f[3])));
        return scores;
    }

    private static boolean matches(Anomaly alert, InjectedAnomaly injected, long tolerance) {
        return alert.getDeviceId().equals(injected.deviceId())
                && (alert.getMetric().equals(injected.metric()) || injected.metric().equals("*"))
                && alert.getTsMs() >= injected.startMs() - 60_000 && alert.getTsMs() <= injected.endMs() + tolerance;
    }

    /** Prints the table and writes the JSON figures and the ground truth next to each other. */
    public static void report(Result result, int devices, Duration span, Path json) throws IOException {
        System.out.printf(Locale.ROOT, "Detection quality: %d devices, %s of simulated time, %,d readings, %d anomalies injected"
                        + " (ground truth: %s); played through the processor topology in %.1f s%n%n", devices, span,
                result.readings(), result.truth().size(), json.resolveSibling("detection-ground-truth.jsonl"), result.seconds());
        System.out.printf(Locale.ROOT, "%-16s %8s %6s %9s %6s %10s %8s%n", "DETECTOR", "INJECTED", "FOUND", "ALERTS", "TRUE",
                "PRECISION", "RECALL");
        boolean met = true;
        for (Score score : result.scores()) {
            System.out.printf(Locale.ROOT, "%-16s %8d %6d %9d %6d %10.3f %8.3f%n", score.detector(), score.injected(), score.found(),
                    score.alerts(), score.truePositives(), score.precision(), score.recall());
            met &= score.precision() >= 0.95 && score.recall() >= 0.95;
        }
        System.out.printf(Locale.ROOT, "%nCPU per reading: %.2f µs for the detectors alone (target <= 5), %.1f µs through the whole"
                + " topology (test driver, serdes, state store, the simulator)%n", result.detectionMicrosPerReading(),
                result.topologyMicrosPerReading());
        System.out.printf("Target (0.95 precision and recall for every detector): %s%n", met ? "met" : "NOT met");
        Files.createDirectories(json.getParent());
        StringBuilder out = new StringBuilder(String.format(Locale.ROOT,
                "{\"devices\":%d,\"simulatedSeconds\":%d,\"readings\":%d,\"wallSeconds\":%.2f,\"detectionMicrosPerReading\":%.4f,"
                        + "\"topologyMicrosPerReading\":%.3f,\"targetMet\":%b,\"detectors\":[",
                devices, span.toSeconds(), result.readings(), result.seconds(), result.detectionMicrosPerReading(),
                result.topologyMicrosPerReading(), met));
        for (int i = 0; i < result.scores().size(); i++) {
            Score s = result.scores().get(i);
            out.append(i == 0 ? "" : ",").append(String.format(Locale.ROOT,
                    "{\"detector\":\"%s\",\"injected\":%d,\"found\":%d,\"alerts\":%d,\"truePositives\":%d,\"precision\":%.4f,"
                            + "\"recall\":%.4f}", s.detector(), s.injected(), s.found(), s.alerts(), s.truePositives(), s.precision(),
                    s.recall()));
        }
        out.append("]}\n");
        Files.writeString(json, out);
        StringBuilder truth = new StringBuilder();
        result.truth().forEach(injected -> truth.append(injected.toJson()).append('\n'));
        Files.writeString(json.resolveSibling("detection-ground-truth.jsonl"), truth);
        System.out.println("JSON: " + json);
    }

    /** The false positives and misses, for looking into a detector. */
    public static Map<String, List<String>> misses(Result result) {
        Map<String, List<String>> out = new TreeMap<>();
        long tolerance = TOLERANCE_MINUTES * 60_000L;
        for (Anomaly alert : result.alerts()) {
            if (result.truth().stream().noneMatch(injected -> matches(alert, injected, tolerance))) {
                out.computeIfAbsent("false positive " + alert.getDetector(), k -> new ArrayList<>()).add(alert.getDeviceId() + " "
                        + alert.getMetric() + " " + Instant.ofEpochMilli(alert.getTsMs()) + " " + alert.getDetail());
            }
        }
        for (InjectedAnomaly injected : result.truth()) {
            if (result.alerts().stream().noneMatch(alert -> alert.getDetector().equals(injected.detector())
                    && matches(alert, injected, tolerance))) {
                out.computeIfAbsent("missed " + injected.kind(), k -> new ArrayList<>()).add(injected.toJson());
            }
        }
        return out;
    }

    private static String tempStateDir() {
        try {
            Path dir = Files.createTempDirectory("sluice-detection-bench");
            dir.toFile().deleteOnExit();
            return dir.toString();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
