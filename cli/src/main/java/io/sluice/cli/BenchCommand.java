package io.sluice.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;

import io.sluice.clickhouse.ClickHouseQueries;
import io.sluice.load.FleetOptions;
import io.sluice.load.SinkBenchmark;
import io.sluice.load.StorageBenchmark;
import io.sluice.load.StackBenchmark;
import io.sluice.load.SustainedRate;
import io.sluice.load.detection.DetectionBenchmark;
import io.sluice.load.detection.NabBenchmark;
import io.sluice.load.detection.NabCorpus;
import io.sluice.load.detection.NabReport;
import io.sluice.processor.anomaly.DetectionRules;
import io.sluice.processor.anomaly.RulesException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code sluice bench}: Sluice end to end beside Kafka's producer benchmark and a bare Mosquitto, then the highest
 * sustained rate; {@code bench sink} and {@code bench detection} measure one part each. Every benchmark compares against
 * a baseline measured in the same run and writes its figures as JSON.
 */
@Command(name = "bench", header = "Benchmarks: the stack end to end and sustained; sink; detection; storage",
        sortOptions = false,
        description = {"Sluice end to end beside Kafka's producer benchmark and a bare Mosquitto under the same fleet, CPU per",
                "message of every process, then the highest sustained rate (publish-to-queryable p99 <= 2 s, nothing lost).",
                "./sluice bench starts the stack first. The fleet options apply to the end-to-end run (defaults: 500",
                "devices, 25,000 messages/s, 30 s, the loss check waits up to 300 s)."},
        subcommands = {BenchCommand.Sink.class, BenchCommand.Detection.class, BenchCommand.Storage.class})
final class BenchCommand implements Callable<Integer> {

    @Mixin
    FleetMixin fleet;

    @Mixin
    StackOptions stack;

    @Option(names = "--warmup-seconds", paramLabel = "N", defaultValue = "120",
            description = {"at most this long, unmeasured runs at the search's first rate before Sluice's (rounds of 30 s until",
                    "the JVMs' JIT compilers take under 5%% of the stack's CPU); 0 skips it (default: ${DEFAULT-VALUE})"})
    int warmupSeconds;

    @Option(names = "--sustained-seconds", paramLabel = "N", defaultValue = "60",
            description = "how long each rate of the sustained search is held; 0 skips the search (default: ${DEFAULT-VALUE})")
    int sustainedSeconds;

    @Option(names = "--sustained-start", paramLabel = "N", defaultValue = "10000", description = "the search's first rate, messages/s (default: ${DEFAULT-VALUE})")
    int sustainedStart;

    @Option(names = "--sustained-max", paramLabel = "N", defaultValue = "40000", description = "the highest rate it tries (default: ${DEFAULT-VALUE})")
    int sustainedMax;

    @Option(names = "--sustained-resolution", paramLabel = "N", defaultValue = "2500",
            description = "it stops bisecting when a pass and a fail are this close (default: ${DEFAULT-VALUE})")
    int sustainedResolution;

    @Option(names = "--kafka-records", paramLabel = "N", defaultValue = "1000000",
            description = "records of Kafka's producer benchmark, the broker's baseline (default: ${DEFAULT-VALUE})")
    int kafkaRecords;

    @Option(names = "--mosquitto", paramLabel = "FILE", defaultValue = "/usr/sbin/mosquitto", description = "the Mosquitto broker (default: ${DEFAULT-VALUE})")
    Path mosquitto;

    @Option(names = "--json", paramLabel = "FILE", description = "where the figures go (default: $SLUICE_HOME/bench/stack.json)")
    Path json;

    @Override
    public Integer call() throws Exception {
        FleetOptions fleetOptions = fleet.fleet(500, 25_000, 30);
        if (kafkaRecords < 1) {
            throw new UserError("--kafka-records must be positive");
        }
        if (warmupSeconds < 0 || warmupSeconds > 600) {
            throw new UserError("--warmup-seconds must be 0 (no warm-up) to 600");
        }
        if (sustainedSeconds < 0 || sustainedSeconds > 600) {
            throw new UserError("--sustained-seconds must be 0 (no search) to 600");
        }
        if (sustainedStart < 100 || sustainedMax < sustainedStart || sustainedResolution < 100) {
            throw new UserError("the sustained search needs 100 <= --sustained-start <= --sustained-max and --sustained-resolution >= 100");
        }
        Path home = StackOptions.home();
        Path classpath = home.resolve("kafka/classpath");
        if (!Files.isReadable(classpath)) {
            throw new UserError("no Kafka class path at " + classpath + " (./sluice build writes it)");
        }
        if (!Files.isExecutable(mosquitto)) {
            throw new UserError("no Mosquitto broker at " + mosquitto + " (apt-get install mosquitto; ./sluice bench installs it)");
        }
        ClickHouseQueries clickHouse = stack.runningClickHouse();
        StackBenchmark.Setup setup = new StackBenchmark.Setup(stack.kafka, classpath, mosquitto.toString(),
                StackProcesses.metricsOf(home, "bridge"), StackProcesses.metricsOf(home, "processor"), fleet.credentialsFile(), fleet.reportDir(), json != null ? json : home.resolve("bench/stack.json"),
                home.resolve("run"), warmupSeconds, new SustainedRate.Search(sustainedStart, sustainedMax, sustainedResolution, sustainedSeconds));
        return StackBenchmark.run(setup, fleetOptions, kafkaRecords, clickHouse, Duration.ofSeconds(fleet.checkSeconds(300)),
                System.out) ? 0 : 1;
    }

    @Command(name = "sink", sortOptions = false, header = "The sink's insert path beside clickhouse-jdbc and clickhouse-client, CPU per row",
            description = {"The sink's insert path (Avro decode, RowBinary through client-v2)",
            "beside the former clickhouse-jdbc path and clickhouse-client FORMAT TSV, same rows, CPU per row each (stack up)."})
    static final class Sink implements Callable<Integer> {

        @Option(names = "--events", paramLabel = "N", defaultValue = "250000", description = "events to insert, 4 rows each (default: ${DEFAULT-VALUE})")
        int events;

        @Option(names = "--batch-rows", paramLabel = "N", defaultValue = "100000", description = "rows per insert (default: ${DEFAULT-VALUE})")
        int batchRows;

        @Option(names = "--clickhouse-tcp-port", paramLabel = "N", defaultValue = "9000",
                description = "ClickHouse's native port, for clickhouse-client (default: ${DEFAULT-VALUE})")
        int tcpPort;

        @Option(names = "--json", paramLabel = "FILE", description = "where the figures go (default: $SLUICE_HOME/bench/sink.json)")
        Path json;

        @Mixin
        StackOptions stack;

        @Override
        public Integer call() throws Exception {
            if (events < 1 || batchRows < 1) {
                throw new UserError("--events and --batch-rows must be positive");
            }
            Path home = StackOptions.home();
            SinkBenchmark.run(stack.clickHouseUrl, tcpPort, home.resolve("run/clickhouse.pid"), events, batchRows,
                    json != null ? json : home.resolve("bench/sink.json"));
            return 0;
        }
    }

    @Command(name = "storage", sortOptions = false, header = "Bytes per reading and query times of both ClickHouse dialects (chdb)",
            description = {"The same realistic readings in sluice.telemetry of both ClickHouse",
            "dialects on a current engine (chdb, ClickHouse 26.7; installed on first use, about 550 MB): bytes per reading",
            "and per column, rows inserted per second, the docs' main queries timed (no stack needed)."})
    static final class Storage implements Callable<Integer> {

        @Option(names = "--devices", paramLabel = "N", defaultValue = "200", description = "devices, 4 metrics each (default: ${DEFAULT-VALUE})")
        int devices;

        @Option(names = "--seconds", paramLabel = "N", defaultValue = "3600", description = "seconds of readings at one a second (default: ${DEFAULT-VALUE})")
        int seconds;

        @Option(names = "--json", paramLabel = "FILE", description = "where the figures go (default: $SLUICE_HOME/bench/storage.json)")
        Path json;

        @Override
        public Integer call() throws Exception {
            if (devices < 1 || devices > 100_000 || seconds < 1 || seconds > 86_400) {
                throw new UserError("--devices must be 1 to 100000 and --seconds 1 to 86400");
            }
            Path work = java.nio.file.Files.createTempDirectory("sluice-bench-storage-");
            try {
                StorageBenchmark.run(devices, seconds, work, json != null ? json : StackOptions.home().resolve("bench/storage.json"),
                        System.out);
            } finally {
                io.sluice.runtime.Directories.deleteTree(work);
            }
            return 0;
        }
    }

    @Command(name = "detection", sortOptions = false, header = "The detectors' precision and recall: a simulated fleet, or NAB series",
            description = {"The detectors' precision and recall on a simulated fleet with",
            "injected anomalies, played through the real topology (no stack needed)."})
    static final class Detection implements Callable<Integer> {

        @Option(names = "--devices", paramLabel = "N", defaultValue = "150", description = "simulated devices (default: ${DEFAULT-VALUE})")
        int devices;

        @Option(names = "--hours", paramLabel = "N", defaultValue = "4",
                description = "hours of simulated time, one reading per device every 10 s (default: ${DEFAULT-VALUE})")
        int hours;

        @Option(names = "--seed", paramLabel = "N", defaultValue = "1", description = "the fleet's random seed (default: ${DEFAULT-VALUE})")
        long seed;

        @Option(names = "--explain", description = "also list every false positive and every miss")
        boolean explain;

        @Option(names = "--nab", paramLabel = "DIR", description = {"instead: real series labelled by others, in the Numenta Anomaly",
                "Benchmark's layout (the development set: bench/nab), with the built-in rules or --rules"})
        Path nab;

        @Option(names = "--rules", paramLabel = "FILE", description = "with --nab: a rules file instead of the built-in defaults")
        Path rules;

        @Option(names = "--json", paramLabel = "FILE", description = "where the figures go (default: $SLUICE_HOME/bench/detection.json,"
                + " or detection-nab.json)")
        Path json;

        @Override
        public Integer call() throws Exception {
            if (nab != null) {
                return nab();
            }
            if (rules != null) {
                throw new UserError("--rules goes with --nab (the simulated fleet has its own rules)");
            }
            if (devices < 10 || hours < 2) {
                throw new UserError("the benchmark needs at least 10 devices and 2 hours (warm-up included)");
            }
            Duration span = Duration.ofHours(hours);
            DetectionBenchmark.Result result = DetectionBenchmark.run(devices, span, seed);
            DetectionBenchmark.report(result, devices, span, json != null ? json : StackOptions.home().resolve("bench/detection.json"));
            if (explain) {
                DetectionBenchmark.misses(result).forEach((what, cases) -> {
                    System.out.println(what + " (" + cases.size() + "):");
                    cases.stream().limit(20).forEach(c -> System.out.println("  " + c));
                });
            }
            return 0;
        }

        private int nab() throws Exception {
            if (!Files.isDirectory(nab)) {
                throw new UserError("--nab " + nab + ": no such directory");
            }
            DetectionRules detectionRules;
            try {
                detectionRules = rules == null ? DetectionRules.defaults() : DetectionRules.load(rules);
            } catch (RulesException e) {
                throw new UserError(e.getMessage());
            }
            java.util.List<NabCorpus.Series> corpus;
            try {
                corpus = NabCorpus.load(nab);
            } catch (IllegalArgumentException | java.io.UncheckedIOException e) {
                throw new UserError(e.getMessage());
            }
            NabBenchmark.Result result = NabBenchmark.run(corpus, detectionRules);
            NabReport.print(result, nab, System.out);
            Path out = json != null ? json : StackOptions.home().resolve("bench/detection-nab.json");
            NabReport.writeJson(result, out);
            System.out.println("JSON: " + out);
            return 0;
        }
    }
}
