package io.sluice.load.detection;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;

import io.sluice.processor.PartitionActivity;
import io.sluice.processor.ProcessorConfig;
import io.sluice.processor.TelemetryTopology;
import io.sluice.processor.anomaly.DetectionRules;
import io.sluice.processor.anomaly.Detector;
import io.sluice.processor.anomaly.MetricDetectors;
import io.sluice.processor.anomaly.MetricState;
import io.sluice.processor.anomaly.Rules;
import io.sluice.runtime.Directories;
import io.sluice.schemas.avro.Anomaly;
import io.sluice.schemas.avro.TelemetryEvent;
import io.sluice.schemas.kafka.Topics;

/**
 * {@code ./sluice bench detection --nab DIR}: the detectors on real series labelled by others. Every series of a NAB
 * directory ({@link NabCorpus}) is one device with one metric, played reading by reading through the real processor
 * topology (Kafka Streams' test driver, a fresh one per series, the wall clock advanced a second every 100 readings so
 * that the housekeeping runs), with the given rules. Every alert on the metric counts, whatever its detector, except
 * {@link Detector#SILENCE}: NAB labels values, not gaps between readings, so silences are counted apart. Scored with
 * {@link NabScore}: windows found, alert precision and NAB's standard score, beside the published detectors' figures
 * on the same files ({@code detection/nab-baselines.tsv}).
 */
public final class NabBenchmark {

    static final String METRIC = "value";

    /** One series' outcome: its score, its alerts by detector (silences apart) and each detector's alerts scored alone. */
    public record SeriesResult(String name, NabScore.SeriesScore score, Map<String, Integer> byDetector, int silences,
                               Map<String, NabScore.SeriesScore> detectorScores) {
    }

    /** One detector's figures over the whole set: its alerts, those inside a window, the windows it found on its own. */
    public record DetectorFigures(String detector, int alerts, int alertsInWindows, int windowsFound) {
        public double precision() {
            return alerts == 0 ? 0 : (double) alertsInWindows / alerts;
        }
    }

    /** A published detector's figures on the same files. */
    public record Baseline(String detector, int windowsFound, int windows, double precision, double nabScore) {
    }

    public record Result(List<SeriesResult> series, long readings, double topologySeconds, double topologyMicrosPerReading,
                         double detectionMicrosPerReading, int stateBytesPerMetric) {

        public int windows() {
            return series.stream().mapToInt(s -> s.score().windows()).sum();
        }

        public int windowsFound() {
            return series.stream().mapToInt(s -> s.score().windowsFound()).sum();
        }

        public int alerts() {
            return series.stream().mapToInt(s -> s.score().alerts()).sum();
        }

        public int alertsInWindows() {
            return series.stream().mapToInt(s -> s.score().alertsInWindows()).sum();
        }

        public double windowsFoundShare() {
            return windows() == 0 ? 0 : (double) windowsFound() / windows();
        }

        public double precision() {
            return alerts() == 0 ? 0 : (double) alertsInWindows() / alerts();
        }

        public double nabScore() {
            return NabScore.normalised(series.stream().map(SeriesResult::score).toList());
        }

        /** Each detector's figures, most windows found first. */
        public List<DetectorFigures> byDetector() {
            Map<String, int[]> sums = new TreeMap<>();
            for (SeriesResult s : series) {
                s.detectorScores().forEach((detector, score) -> {
                    int[] sum = sums.computeIfAbsent(detector, d -> new int[3]);
                    sum[0] += score.alerts();
                    sum[1] += score.alertsInWindows();
                    sum[2] += score.windowsFound();
                });
            }
            return sums.entrySet().stream().map(e -> new DetectorFigures(e.getKey(), e.getValue()[0], e.getValue()[1], e.getValue()[2]))
                    .sorted(Comparator.comparingInt(DetectorFigures::windowsFound).reversed()).toList();
        }

        public boolean targetMet() {
            return windowsFoundShare() >= 0.85 && precision() >= 0.55;
        }
    }

    private NabBenchmark() {
    }

    public static Result run(List<NabCorpus.Series> corpus, DetectionRules rules) {
        ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
        List<SeriesResult> results = new ArrayList<>();
        long readings = 0;
        long topologyCpuNs = 0;
        long started = System.nanoTime();
        for (NabCorpus.Series series : corpus) {
            long cpuBefore = cpu.getCurrentThreadCpuTime();
            results.add(play(series, rules));
            topologyCpuNs += cpu.getCurrentThreadCpuTime() - cpuBefore;
            readings += series.times().length;
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        DetectionCost detection = detectionOnly(corpus, rules, cpu);
        return new Result(results, readings, seconds, topologyCpuNs / 1e3 / readings, detection.cpuNs() / 1e3 / readings,
                detection.largestStateBytes());
    }

    private static SeriesResult play(NabCorpus.Series series, DetectionRules rules) {
        Path stateDir = tempDir();
        ProcessorConfig config = new ProcessorConfig(Map.of(ProcessorConfig.IDLE_MS, 60_000L));
        Properties properties = config.streamsProperties();
        properties.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        String device = "nab";
        List<Long> alertTimes = new ArrayList<>();
        Map<String, Integer> byDetector = new TreeMap<>();
        Map<String, List<Long>> timesByDetector = new TreeMap<>();
        int silences = 0;
        Instant wallClock = Instant.ofEpochMilli(series.times()[0]);
        try (TopologyTestDriver driver = new TopologyTestDriver(TelemetryTopology.build(config, rules, PartitionActivity.unobserved()),
                properties, wallClock)) {
            TestInputTopic<String, TelemetryEvent> raw = driver.createInputTopic(Topics.TELEMETRY_RAW.name(),
                    Topics.TELEMETRY_RAW.keySerde().serializer(), Topics.TELEMETRY_RAW.valueSerde().serializer());
            TestOutputTopic<String, Anomaly> anomalies = driver.createOutputTopic(Topics.ANOMALIES.name(),
                    Topics.ANOMALIES.keySerde().deserializer(), Topics.ANOMALIES.valueSerde().deserializer());
            List<Anomaly> raised = new ArrayList<>();
            for (int i = 0; i < series.times().length; i++) {
                long ts = series.times()[i];
                raw.pipeInput(device, TelemetryEvent.newBuilder().setDeviceId(device).setTsMs(ts).setSeq((long) i).setReceivedAtMs(ts)
                        .setMetrics(Map.of(METRIC, series.values()[i])).build(), ts);
                if (i % 100 == 99) {
                    driver.advanceWallClockTime(Duration.ofSeconds(1));
                    raised.addAll(anomalies.readValuesToList());
                }
            }
            raised.addAll(anomalies.readValuesToList());
            for (Anomaly anomaly : raised) {
                if (anomaly.getDetector().equals(Detector.SILENCE.name())) {
                    silences++;
                } else {
                    alertTimes.add(anomaly.getTsMs());
                    byDetector.merge(anomaly.getDetector(), 1, Integer::sum);
                    timesByDetector.computeIfAbsent(anomaly.getDetector(), d -> new ArrayList<>()).add(anomaly.getTsMs());
                }
            }
        } finally {
            Directories.deleteTree(stateDir);
        }
        NabScore.SeriesScore score = NabScore.score(series.times(), series.windows(),
                alertTimes.stream().mapToLong(Long::longValue).toArray(), NabScore.Profile.STANDARD);
        Map<String, NabScore.SeriesScore> detectorScores = new TreeMap<>();
        timesByDetector.forEach((detector, times) -> detectorScores.put(detector, NabScore.score(series.times(), series.windows(),
                times.stream().mapToLong(Long::longValue).toArray(), NabScore.Profile.STANDARD)));
        return new SeriesResult(series.name(), score, byDetector, silences, detectorScores);
    }

    /** What the detectors alone cost on every reading (no topology), and the largest state they left for a metric. */
    private record DetectionCost(long cpuNs, int largestStateBytes) {
    }

    private static DetectionCost detectionOnly(List<NabCorpus.Series> corpus, DetectionRules rules, ThreadMXBean cpu) {
        Rules.MetricRules metricRules = rules.forMetric("nab", METRIC);
        MetricDetectors.Findings ignore = (metric, ts, value, expected, score, detector, severity, detail) -> { };
        long cpuNs = 0;
        int largest = 0;
        for (NabCorpus.Series series : corpus) {
            MetricState state = new MetricState();
            long before = cpu.getCurrentThreadCpuTime();
            for (int i = 0; i < series.times().length; i++) {
                MetricDetectors.judge(METRIC, series.times()[i], series.values()[i], metricRules, state, ignore);
            }
            cpuNs += cpu.getCurrentThreadCpuTime() - before;
            largest = Math.max(largest, state.encodedSize());
        }
        return new DetectionCost(cpuNs, largest);
    }

    /** The published detectors' figures on the development set, best NAB score first. */
    public static List<Baseline> baselines() {
        try (InputStream in = NabBenchmark.class.getResourceAsStream("/detection/nab-baselines.tsv")) {
            List<Baseline> baselines = new ArrayList<>();
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                String[] f = line.split("\t");
                baselines.add(new Baseline(f[0], Integer.parseInt(f[1]), Integer.parseInt(f[2]), Double.parseDouble(f[3]),
                        Double.parseDouble(f[4])));
            }
            baselines.sort(Comparator.comparingDouble(Baseline::nabScore).reversed());
            return baselines;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path tempDir() {
        try {
            return Files.createTempDirectory("sluice-nab-bench");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
