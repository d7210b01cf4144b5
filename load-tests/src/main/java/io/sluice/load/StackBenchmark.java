package io.sluice.load;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import io.sluice.schemas.avro.TelemetryEvent;
import io.sluice.schemas.kafka.Topics;
import io.sluice.clickhouse.ClickHouseQueries;

/**
 * {@code ./sluice bench}: Sluice end to end beside its baselines, measured in the same run on the
 * same machine, in one table:
 * <ol>
 *   <li>Kafka's own producer benchmark ({@code ProducerPerformance}, acks=all) with records the size of
 *       the bridges' raw records: what the broker takes from one client with nothing else in the way;</li>
 *   <li>a bare Mosquitto broker (Debian's) under the same simulated fleet at QoS 1: what an MQTT broker
 *       that stores nothing accepts from this simulator;</li>
 *   <li>Sluice through HAProxy, with every acknowledged reading checked in ClickHouse, end-to-end latency
 *       sampled, and the balance of connections across bridges and of work across processors.</li>
 * </ol>
 */
public final class StackBenchmark {

    private static final Pattern PERF_SUMMARY = Pattern.compile(
            "(\\d+) records sent, ([\\d.]+) records/sec \\(([\\d.]+) MB/sec\\), ([\\d.]+) ms avg latency, ([\\d.]+) ms max latency,"
                    + " (\\d+) ms 50th, (\\d+) ms 95th, (\\d+) ms 99th, (\\d+) ms 99.9th");
    private static final String BENCH_TOPIC = "sluice.bench.producer-performance";
    private static final int WARM_UP_ROUND_SECONDS = 30;
    private static final double WARM_COMPILER_SHARE = 0.05;

    /** Where the stack's parts are, and how to run the baselines. */
    public record Setup(String kafkaBootstrap, Path kafkaClasspath, String mosquittoBinary, List<String> bridgeMetrics,
                 List<String> processorMetrics, Path credentials, Path reportDir, Path json, Path pidDir,
                 int warmupSeconds, SustainedRate.Search sustained) {
    }

    /** One row of the table. */
    record Row(String name, double messagesPerSecond, double p50Ms, double p99Ms, double p999Ms, String note) {
    }

    private final Setup setup;
    private final PrintStream out;
    private final HttpClient http = HttpClient.newHttpClient();

    private StackBenchmark(Setup setup, PrintStream out) {
        this.setup = setup;
        this.out = out;
    }

    public static boolean run(Setup setup, FleetOptions fleet, int kafkaRecords, ClickHouseQueries clickHouse, Duration checkTimeout,
                       PrintStream out) throws Exception {
        return new StackBenchmark(setup, out).run(fleet, kafkaRecords, clickHouse, checkTimeout);
    }

    private boolean run(FleetOptions fleet, int kafkaRecords, ClickHouseQueries clickHouse, Duration checkTimeout) throws Exception {
        int recordSize = rawRecordSize(fleet);
        out.printf(Locale.ROOT, "== 1/3 Kafka's producer benchmark: %,d records of %d bytes (a raw reading record's size), acks=all%n",
                kafkaRecords, recordSize);
        Row kafka = kafkaProducerPerformance(kafkaRecords, recordSize);

        out.printf(Locale.ROOT, "%n== 2/3 Mosquitto under the same fleet (QoS %d)%n", fleet.qos());
        FleetResult mosquitto = mosquitto(fleet);

        StackCpu cpu = new StackCpu(setup.pidDir());
        boolean warmUpExact = warmUp(fleet, cpu, clickHouse, checkTimeout);
        out.printf(Locale.ROOT, "%n== 3/3 Sluice end to end through HAProxy%n");
        Map<String, Double> processedBefore = perInstance(setup.processorMetrics(), "sluice_processor_partition_readings_total");
        StackCpu.Window cpuWindow = cpu.window();
        double[] connectionBalance = {Double.NaN};
        FleetOptions sluiceFleet = fleet.elsewhere("sluice", fleet.host(), fleet.port(), fleet.transport(), fleet.fleetSecret(),
                fleet.injections());
        FleetRun.Outcome sluice = FleetRun.run(sluiceFleet, clickHouse, setup.credentials(), setup.reportDir(), checkTimeout, out,
                progress -> {
                    cpuWindow.onProgress(progress);
                    if (Double.isNaN(connectionBalance[0]) && progress.elapsedSeconds() >= sluiceFleet.seconds() / 2.0) {
                        connectionBalance[0] = busiestOverQuietest(perInstance(setup.bridgeMetrics(), "sluice_bridge_connections"));
                    }
                });
        Map<String, Double> cpuPerMessage = cpuWindow.perMessage();
        Map<String, Double> processed = perInstance(setup.processorMetrics(), "sluice_processor_partition_readings_total");
        processed.replaceAll((instance, total) -> total - processedBefore.getOrDefault(instance, 0.0));
        double processorBalance = busiestOverMean(processed);

        List<Row> rows = List.of(kafka,
                new Row("Mosquitto 2.0, QoS " + fleet.qos() + " (stores nothing)", mosquitto.ackedPerSecond(), mosquitto.latencyMillis(50),
                        mosquitto.latencyMillis(99), mosquitto.latencyMillis(99.9), String.format(Locale.ROOT,
                                "%,d sent, %,d acknowledged, simulator %.1f µs/msg", mosquitto.sent(), mosquitto.acked(),
                                mosquitto.simulatorCpuMicrosPerMessage())),
                new Row("Sluice end to end, QoS " + fleet.qos(), sluice.result().ackedPerSecond(), sluice.result().latencyMillis(50),
                        sluice.result().latencyMillis(99), sluice.result().latencyMillis(99.9), String.format(Locale.ROOT,
                                "readings acked %,d stored %,d lost %,d duplicated %,d; simulator %.1f µs/msg",
                                sluice.check().acknowledged(), sluice.check().stored(), sluice.check().lost(),
                                sluice.check().duplicated(), sluice.result().simulatorCpuMicrosPerMessage())));
        out.println();
        out.printf("%-44s %12s %9s %9s %9s  %s%n", "", "messages/s", "p50 ms", "p99 ms", "p99.9 ms", "");
        for (Row row : rows) {
            out.printf(Locale.ROOT, "%-44s %,12.0f %9.1f %9.1f %9.1f  %s%n", row.name(), row.messagesPerSecond(), row.p50Ms(),
                    row.p99Ms(), row.p999Ms(), row.note());
        }
        double overKafka = sluice.result().ackedPerSecond() / kafka.messagesPerSecond();
        double overMosquitto = sluice.result().ackedPerSecond() / mosquitto.ackedPerSecond();
        out.printf(Locale.ROOT, "%nSluice / Kafka producer: %.3f   Sluice / Mosquitto: %.3f%n", overKafka, overMosquitto);
        if (sluice.endToEndMillis() != null && sluice.endToEndMillis().getTotalCount() > 0) {
            out.printf(Locale.ROOT, "Sluice publish-to-queryable in ClickHouse (%d samples): p50 %d ms, p99 %d ms%n",
                    sluice.endToEndMillis().getTotalCount(), sluice.endToEndMillis().getValueAtPercentile(50),
                    sluice.endToEndMillis().getValueAtPercentile(99));
        }
        out.printf(Locale.ROOT, "Connections across bridges (busiest / quietest, mid-run): %.2f%n", connectionBalance[0]);
        out.printf(Locale.ROOT, "Readings processed across processors during the run (busiest / mean): %.2f  %s%n", processorBalance,
                processed);
        out.printf("Loss check: %s%n", sluice.check().exact() ? "exact (nothing lost, nothing duplicated)" : "NOT EXACT");
        out.printf(Locale.ROOT, "CPU per message while it published, every process of the stack (µs): %s%n",
                describe(StackCpu.byKind(cpuPerMessage)));

        SustainedRate.Result sustained = null;
        if (setup.sustained().seconds() > 0) {
            out.printf(Locale.ROOT, "%n== Sustained: the highest steady rate with publish-to-queryable p99 <= %d ms and nothing lost%n",
                    SustainedRate.QUERYABLE_P99_LIMIT_MS);
            sustained = SustainedRate.search(fleet, setup.sustained(), clickHouse, setup.credentials(), setup.reportDir(), cpu,
                    checkTimeout, out);
            SustainedRate.print(sustained, out);
            out.printf(Locale.ROOT, "Beside it: Sluice accepted %,.0f msg/s above (%s), Mosquitto %,.0f, Kafka's producer %,.0f records/s%n",
                    sluice.result().ackedPerSecond(), fleet.profile().describe(), mosquitto.ackedPerSecond(), kafka.messagesPerSecond());
        }

        Map<String, Object> figures = new LinkedHashMap<>();
        figures.put("warmupSeconds", setup.warmupSeconds());
        figures.put("fleet", Map.of("devices", fleet.devices(), "profile", fleet.profile().describe(), "qos", fleet.qos(),
                "seconds", fleet.seconds(), "pipeline", fleet.pipeline()));
        figures.put("rows", rows);
        figures.put("sluiceOverKafka", overKafka);
        figures.put("sluiceOverMosquitto", overMosquitto);
        figures.put("connectionBalanceBusiestOverQuietest", connectionBalance[0]);
        figures.put("processorBalanceBusiestOverMean", processorBalance);
        figures.put("readingsProcessedPerProcessor", processed);
        figures.put("sluice", FleetReport.figures(sluice.result(), sluice.check(), sluice.endToEndMillis(), sluice.injections()));
        figures.put("cpuMicrosPerMessage", cpuPerMessage);
        figures.put("cpuMicrosPerMessageByKind", StackCpu.byKind(cpuPerMessage));
        if (sustained != null) {
            figures.put("sustained", sustained);
        }
        Files.createDirectories(setup.json().toAbsolutePath().getParent());
        Files.writeString(setup.json(), new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(figures));
        out.println("Figures written to " + setup.json() + "; Sluice's run in " + sluice.html());
        return warmUpExact && sluice.check().exact();
    }

    private static String describe(Map<String, Double> kinds) {
        StringBuilder text = new StringBuilder();
        kinds.forEach((kind, micros) -> text.append(text.length() == 0 ? "" : ", ").append(kind).append(' ')
                .append(String.format(Locale.ROOT, "%.1f", micros)));
        return text.toString();
    }

    /**
     * Runs at the sustained search's first rate, not measured, until the stack is warm as the method has it:
     * rounds of 30 s until the JVMs' JIT compilers take under 5% of the stack's CPU, or the warm-up's time is spent. On a
     * fresh stack they are at work for minutes under load (a 30 s warm-up left the search's first step, at 10,000 msg/s,
     * at 30.5 µs of processor CPU per message, 16% of it C2's; 15.8 once they were quiet).
     */
    private boolean warmUp(FleetOptions fleet, StackCpu cpu, ClickHouseQueries clickHouse, Duration checkTimeout) throws Exception {
        int rate = setup.sustained().startRate();
        boolean exact = true;
        for (int spent = 0, round = 1; spent < setup.warmupSeconds(); round++) {
            int seconds = Math.min(WARM_UP_ROUND_SECONDS, setup.warmupSeconds() - spent);
            out.printf(Locale.ROOT, "%n== Warm-up round %d, not measured: %,d msg/s for %d s%n", round, rate, seconds);
            double stackBefore = StackCpu.total(cpu.read());
            double compilersBefore = cpu.compilerSeconds();
            exact &= FleetRun.run(SustainedRate.steadyFleet(fleet, rate, seconds, "-warmup" + round), clickHouse,
                    setup.credentials(), setup.reportDir(), checkTimeout, out, progress -> { }).check().exact();
            spent += seconds;
            double share = (cpu.compilerSeconds() - compilersBefore) / Math.max(1e-9, StackCpu.total(cpu.read()) - stackBefore);
            out.printf(Locale.ROOT, "The JIT compilers took %.1f%% of the stack's CPU in this round%s%n", 100 * share,
                    share < WARM_COMPILER_SHARE ? ": warm" : spent < setup.warmupSeconds() ? ": another round"
                            : ": the warm-up's time is spent, measuring from here (--warmup-seconds gives it more)");
            if (share < WARM_COMPILER_SHARE) {
                break;
            }
        }
        return exact;
    }

    /** The size of the record a bridge writes for one of this fleet's messages. */
    private static int rawRecordSize(FleetOptions fleet) {
        Map<String, Double> metrics = new LinkedHashMap<>();
        for (String metric : DeviceSignal.METRICS) {
            metrics.put(metric, 21.5);
        }
        TelemetryEvent event = TelemetryEvent.newBuilder().setDeviceId(fleet.deviceId(fleet.devices() - 1))
                .setTsMs(System.currentTimeMillis()).setSeq(123_456L).setReceivedAtMs(System.currentTimeMillis())
                .setMetrics(new LinkedHashMap<>(metrics)).build();
        return Topics.TELEMETRY_RAW.encode(event).length;
    }

    private Row kafkaProducerPerformance(int records, int recordSize) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, setup.kafkaBootstrap()))) {
            try {
                admin.deleteTopics(List.of(BENCH_TOPIC)).all().get(30, TimeUnit.SECONDS);
            } catch (java.util.concurrent.ExecutionException noSuchTopic) {
                // left by no earlier run: nothing to delete
            }
            awaitTopicGone(admin);
            admin.createTopics(List.of(new NewTopic(BENCH_TOPIC, 12, (short) 1))).all().get(30, TimeUnit.SECONDS);
            String classpath = Files.readString(setup.kafkaClasspath()).strip();
            List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m",
                    "-Dlog4j2.rootLogger.level=warn", "-cp", classpath, "org.apache.kafka.tools.ProducerPerformance",
                    "--topic", BENCH_TOPIC, "--num-records", String.valueOf(records), "--record-size", String.valueOf(recordSize),
                    "--throughput", "-1", "--producer-props", "bootstrap.servers=" + setup.kafkaBootstrap(), "acks=all",
                    "linger.ms=5", "batch.size=65536", "enable.idempotence=true");
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            String summary = null;
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                    if (PERF_SUMMARY.matcher(line).find()) {
                        summary = line;
                    }
                    if (line.contains("records sent")) {
                        out.println("  " + line);
                    }
                }
            }
            if (!process.waitFor(5, TimeUnit.MINUTES) || process.exitValue() != 0 || summary == null) {
                throw new IllegalStateException("Kafka's ProducerPerformance did not finish with a summary (exit "
                        + (process.isAlive() ? "none" : process.exitValue()) + ")");
            }
            admin.deleteTopics(List.of(BENCH_TOPIC)).all().get(30, TimeUnit.SECONDS);
            Matcher m = PERF_SUMMARY.matcher(summary);
            m.find();
            return new Row("Kafka ProducerPerformance, acks=all (1 client)", Double.parseDouble(m.group(2)),
                    Double.parseDouble(m.group(6)), Double.parseDouble(m.group(8)), Double.parseDouble(m.group(9)),
                    String.format(Locale.ROOT, "%,d records of %d bytes; latency of its batches", records, recordSize));
        }
    }

    private static void awaitTopicGone(Admin admin) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (admin.listTopics().names().get(10, TimeUnit.SECONDS).contains(BENCH_TOPIC)) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("topic " + BENCH_TOPIC + " was not deleted within 30 s");
            }
            Thread.sleep(200);
        }
    }

    /** A private Mosquitto on a free loopback port, the same fleet against it, and the broker stopped. */
    private FleetResult mosquitto(FleetOptions fleet) throws Exception {
        Path dir = Files.createTempDirectory("sluice-bench-mosquitto");
        int port;
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        Files.writeString(dir.resolve("mosquitto.conf"), "listener " + port + " 127.0.0.1\nallow_anonymous true\n"
                + "max_inflight_messages 0\nmax_connections -1\npersistence false\n");
        Process broker = new ProcessBuilder(setup.mosquittoBinary(), "-c", dir.resolve("mosquitto.conf").toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("mosquitto.log").toFile()).start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!listening(port)) {
                if (!broker.isAlive() || System.nanoTime() > deadline) {
                    throw new IllegalStateException("Mosquitto did not start: see " + dir.resolve("mosquitto.log"));
                }
                Thread.sleep(50);
            }
            FleetOptions options = fleet.elsewhere("mosquitto", "127.0.0.1", port, FleetOptions.Transport.TCP, null, 0);
            FleetRun.Outcome outcome = FleetRun.run(options, null, null, setup.reportDir(), Duration.ofSeconds(1), out, p -> { });
            return outcome.result();
        } finally {
            broker.destroy();
            broker.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private static boolean listening(int port) {
        try (java.net.Socket socket = new java.net.Socket(java.net.InetAddress.getLoopbackAddress(), port)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Sums a metric's samples per instance (each URL one instance). An instance that does not answer is left out. */
    private Map<String, Double> perInstance(List<String> urls, String metric) {
        Map<String, Double> values = new LinkedHashMap<>();
        for (String url : urls) {
            try {
                String body = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
                        HttpResponse.BodyHandlers.ofString()).body();
                values.put(url, PrometheusText.sum(body, metric));
            } catch (IOException | InterruptedException | RuntimeException e) {
                out.println("  (no metrics from " + url + ": " + e.getMessage() + ")");
            }
        }
        return values;
    }

    private static double busiestOverQuietest(Map<String, Double> values) {
        List<Double> list = new ArrayList<>(values.values());
        double min = list.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
        double max = list.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
        return min > 0 ? max / min : Double.NaN;
    }

    private static double busiestOverMean(Map<String, Double> values) {
        double mean = values.values().stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
        double max = values.values().stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
        return mean > 0 ? max / mean : Double.NaN;
    }
}
