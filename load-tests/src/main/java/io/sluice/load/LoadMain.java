package io.sluice.load;

import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

import io.sluice.sink.ClickHouseEndpoint;
import io.sluice.sink.ClickHouseQueries;

/**
 * The fleet simulator's command line ({@code ./sluice load} and {@code ./sluice demo}):
 * <pre>
 *   run  [options]   run a fleet, then check every acknowledged reading against ClickHouse
 *   demo [options]   the same, then a report of what is in ClickHouse
 *   bench-sink [options]   the sink's insert path beside clickhouse-client FORMAT TSV, same rows, same run
 *   bench-detection [options]   the detectors' precision and recall on a simulated fleet with injected anomalies
 * </pre>
 * A mistake in the options ends with one line on standard error and exit code 2.
 */
public final class LoadMain {

    private static final String USAGE = """
            Usage: ./sluice load run|demo [options]
              --mqtt HOST:PORT        MQTT endpoint, HAProxy in front of the bridges (default 127.0.0.1:1883)
              --clickhouse URL        ClickHouse HTTP interface (default http://127.0.0.1:8123)
              --devices N             devices, each its own connection (default 100)
              --rate N                total messages per second, 4 readings each (default 1000)
              --seconds N             how long to publish (default 60)
              --qos 0|1|2             MQTT QoS (default 1)
              --in-flight N           most unacknowledged publishes per device (default 100)
              --run-id ID             prefix of this run's device ids (default sim-<time>)
            Usage: ./sluice bench sink [options]   (java -jar load-tests-all.jar bench-sink ...)
              --clickhouse URL        ClickHouse HTTP interface (default http://127.0.0.1:8123)
              --clickhouse-tcp-port N its native port, for clickhouse-client (default 9000)
              --events N              events to insert, 4 rows each (default 250000)
              --batch-rows N          rows per insert, as the sink's batch.max.rows (default 100000)
              --json FILE             where to write the figures (default .sluice/bench/sink.json)
            Usage: ./sluice bench detection [options]   (java -jar load-tests-all.jar bench-detection ...)
              --devices N             simulated devices (default 150)
              --hours N               hours of simulated time, one reading per device every 10 s (default 4)
              --seed N                the fleet's random seed (default 1)
              --json FILE             where to write the figures (default .sluice/bench/detection.json)
              --explain               also list every false positive and every miss""";

    private LoadMain() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h")) {
            System.out.println(USAGE);
            return;
        }
        String command = args[0];
        if (command.equals("bench-sink")) {
            benchSink(args);
            return;
        }
        if (command.equals("bench-detection")) {
            benchDetection(args);
            return;
        }
        if (!command.equals("run") && !command.equals("demo")) {
            fail("unknown command '" + command + "'; use run, demo, bench-sink or bench-detection (--help for the options)");
        }
        Map<String, String> values = options(args, Map.of("--mqtt", "127.0.0.1:1883", "--clickhouse", "http://127.0.0.1:8123",
                "--devices", "100", "--rate", "1000", "--seconds", "60", "--qos", "1", "--in-flight", "100",
                "--run-id", "sim-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"))));
        FleetOptions options;
        ClickHouseQueries clickHouse;
        try {
            String[] mqtt = values.get("--mqtt").split(":");
            if (mqtt.length != 2) {
                throw new IllegalArgumentException("--mqtt must be HOST:PORT, got " + values.get("--mqtt"));
            }
            options = new FleetOptions(mqtt[0], integer(values, "--mqtt", mqtt[1]), integer(values, "--devices"),
                    integer(values, "--rate"), integer(values, "--seconds"), integer(values, "--qos"),
                    integer(values, "--in-flight"), values.get("--run-id"));
            clickHouse = new ClickHouseQueries(new ClickHouseEndpoint(values.get("--clickhouse"), "default", ""));
        } catch (IllegalArgumentException e) {
            fail(e.getMessage());
            return;
        }
        if (!clickHouse.ping()) {
            fail("ClickHouse does not answer at " + values.get("--clickhouse") + "; is the stack up (./sluice up)?");
        }
        FleetReport report = new FleetReport(System.out);
        report.starting(options);
        FleetResult result = FleetSimulator.run(options, report::progress);
        if (result.acked() == 0) {
            fail("no publish was acknowledged; is MQTT served at " + values.get("--mqtt") + "?");
        }
        LossCheck check = LossCheck.against(clickHouse, result, Duration.ofSeconds(60));
        report.summary(result, check);
        if (command.equals("demo")) {
            report.clickHouseContents(clickHouse, options.runId());
        }
        System.exit(check.exact() ? 0 : 1);
    }

    private static void benchDetection(String[] args) throws java.io.IOException {
        boolean explain = java.util.Arrays.asList(args).contains("--explain");
        String[] rest = java.util.Arrays.stream(args).filter(a -> !a.equals("--explain")).toArray(String[]::new);
        Map<String, String> values = options(rest, Map.of("--devices", "150", "--hours", "4", "--seed", "1",
                "--json", ".sluice/bench/detection.json"));
        int devices;
        int hours;
        long seed;
        try {
            devices = integer(values, "--devices");
            hours = integer(values, "--hours");
            seed = integer(values, "--seed");
            if (devices < 10 || hours < 2) {
                throw new IllegalArgumentException("the benchmark needs at least 10 devices and 2 hours (warm-up included)");
            }
        } catch (IllegalArgumentException e) {
            fail(e.getMessage());
            return;
        }
        Duration span = Duration.ofHours(hours);
        io.sluice.load.detection.DetectionBenchmark.Result result = io.sluice.load.detection.DetectionBenchmark.run(devices, span, seed);
        io.sluice.load.detection.DetectionBenchmark.report(result, devices, span, java.nio.file.Path.of(values.get("--json")));
        if (explain) {
            io.sluice.load.detection.DetectionBenchmark.misses(result).forEach((what, cases) -> {
                System.out.println(what + " (" + cases.size() + "):");
                cases.stream().limit(20).forEach(c -> System.out.println("  " + c));
            });
        }
    }

    private static void benchSink(String[] args) throws Exception {
        Map<String, String> values = options(args, Map.of("--clickhouse", "http://127.0.0.1:8123", "--clickhouse-tcp-port", "9000",
                "--events", "250000", "--batch-rows", "100000", "--json", ".sluice/bench/sink.json"));
        try {
            int events = integer(values, "--events");
            int batchRows = integer(values, "--batch-rows");
            if (events < 1 || batchRows < 1) {
                throw new IllegalArgumentException("--events and --batch-rows must be positive");
            }
            SinkBenchmark.run(values.get("--clickhouse"), integer(values, "--clickhouse-tcp-port"), events, batchRows,
                    java.nio.file.Path.of(values.get("--json")));
        } catch (IllegalArgumentException | IllegalStateException e) {
            fail(e.getMessage());
        }
    }

    /** The options after the command, over their defaults; an unknown option or a missing value ends the program. */
    private static Map<String, String> options(String[] args, Map<String, String> defaults) {
        Map<String, String> values = new HashMap<>(defaults);
        for (int i = 1; i < args.length; i += 2) {
            if (!values.containsKey(args[i])) {
                fail("unknown option '" + args[i] + "' (--help lists them)");
            }
            if (i + 1 >= args.length) {
                fail(args[i] + " needs a value");
            }
            values.put(args[i], args[i + 1]);
        }
        return values;
    }

    private static int integer(Map<String, String> values, String option) {
        return integer(values, option, values.get(option));
    }

    private static int integer(Map<String, String> values, String option, String text) {
        try {
            return Integer.parseInt(text.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + " takes a whole number, got '" + text + "'");
        }
    }

    private static void fail(String message) {
        System.err.println("sluice load: " + message);
        System.exit(2);
    }


}
