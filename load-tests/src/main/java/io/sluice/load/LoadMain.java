package io.sluice.load;

import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

import io.sluice.bridge.auth.PasswordHash;

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
            Usage: ./sluice load run|demo|publish [options]
              run: a fleet through the stack, then every acknowledged reading checked against ClickHouse
              publish: the fleet and its MQTT figures only (any MQTT broker; no ClickHouse)
              --mqtt HOST:PORT        MQTT endpoint, HAProxy in front of the bridges (default 127.0.0.1:1883)
              --mqtt-ws HOST:PORT     MQTT over WebSocket endpoint, path /mqtt (default 127.0.0.1:8083)
              --transport tcp|ws      MQTT over TCP or over WebSocket (default tcp)
              --clickhouse URL        ClickHouse HTTP interface (default http://127.0.0.1:8123)
              --devices N             devices, each its own connection and client id (default 100)
              --rate N                messages per second of the whole fleet, 4 readings each (default 1000)
              --profile P             steady (at --rate), steady:R, ramp:FROM:TO (over the run), or
                                      burst:BASE:PEAK:AT:RISE:HOLD (seconds; e.g. burst:200:20000:10:3:20)
              --seconds N             how long to publish (default 60)
              --qos 0|1|2             MQTT QoS (default 1)
              --format json|senml     payload: Sluice's JSON object or a SenML pack (default json)
              --in-flight N           most unacknowledged publishes per device (default 100)
              --pipeline N            publishes a device sends back to back on its turn, then one flush (default 8)
              --credentials FILE      the bridges' credentials file: each device gets its own password, added
                                      for the run and removed after it (./sluice load passes it when auth is on)
              --inject N              inject anomalies into N devices (spike, drift, stuck, silent); ground truth
                                      in the report directory, matched against sluice.anomalies (default 0)
              --report-dir DIR        where report.json, report.html and ground-truth.jsonl go, under <run id>/
                                      (default .sluice/load)
              --check-seconds N       how long to wait for ClickHouse to hold every acknowledged reading (default 60)
              --run-id ID             prefix of this run's device ids (default sim-<time>)
            Usage: ./sluice bench [options]   (java -jar load-tests-all.jar bench-stack ...; starts the stack if needed)
              the fleet options above, for the acceptance run (defaults --devices 500 --rate 25000 --seconds 30), and:
              --sustained-seconds N   how long each rate of the sustained search is held; 0 skips it (default 60)
              --sustained-start N     the search's first rate in messages/s (default 10000)
              --sustained-max N       the highest rate it tries (default 40000)
              --sustained-resolution N  it stops bisecting when a pass and a fail are this close (default 2500)
              --kafka-records N       records of Kafka's producer benchmark, the broker's baseline (default 1000000)
              --pid-dir DIR           the stack's pid files, for every process's CPU (default .sluice/run)
              --json FILE             where the figures go (default .sluice/bench/stack.json)
            Usage: ./sluice bench sink [options]   (java -jar load-tests-all.jar bench-sink ...)
              --clickhouse URL        ClickHouse HTTP interface (default http://127.0.0.1:8123)
              --clickhouse-tcp-port N its native port, for clickhouse-client (default 9000)
              --clickhouse-pid-file F the server's pid file, for its CPU per row (default .sluice/run/clickhouse.pid)
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
        if (command.equals("bench-stack")) {
            benchStack(args);
            return;
        }
        if (!command.equals("run") && !command.equals("demo") && !command.equals("publish")) {
            fail("unknown command '" + command + "'; use run, demo, publish, bench-stack, bench-sink or bench-detection"
                    + " (--help for the options)");
        }
        Map<String, String> values = options(args, fleetDefaults(Map.of()));
        FleetOptions options;
        ClickHouseQueries clickHouse;
        Path credentials = values.get("--credentials").isEmpty() ? null : Path.of(values.get("--credentials"));
        try {
            options = fleet(values);
            clickHouse = command.equals("publish") ? null : clickHouse(values);
        } catch (IllegalArgumentException e) {
            fail(e.getMessage());
            return;
        }
        FleetRun.Outcome outcome = FleetRun.run(options, clickHouse, credentials, Path.of(values.get("--report-dir")),
                Duration.ofSeconds(integer(values, "--check-seconds")), System.out, progress -> { });
        if (outcome.result().acked() == 0) {
            fail("no publish was acknowledged; is MQTT served at " + options.host() + ":" + options.port() + "?"
                    + (outcome.result().refusals().isEmpty() ? "" : " Connections failed: " + outcome.result().refusals()));
        }
        if (command.equals("demo")) {
            new FleetReport(System.out).clickHouseContents(clickHouse, options.runId());
        }
        System.exit(outcome.check() == null || outcome.check().exact() ? 0 : 1);
    }

    /** The fleet's options and their defaults, with {@code overrides} (a command's own defaults and options) on top. */
    private static Map<String, String> fleetDefaults(Map<String, String> overrides) {
        Map<String, String> defaults = new HashMap<>(Map.of("--mqtt", "127.0.0.1:1883", "--mqtt-ws", "127.0.0.1:8083",
                "--clickhouse", "http://127.0.0.1:8123", "--devices", "100", "--rate", "1000", "--seconds", "60", "--qos", "1",
                "--in-flight", "100", "--run-id", "sim-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"))));
        defaults.putAll(Map.of("--profile", "steady", "--transport", "tcp", "--format", "json", "--credentials", "",
                "--inject", "0", "--report-dir", ".sluice/load", "--check-seconds", "60", "--pipeline", "8"));
        defaults.putAll(overrides);
        return defaults;
    }

    /** The fleet the options describe; a mistake is an IllegalArgumentException with a one-line message. */
    private static FleetOptions fleet(Map<String, String> values) {
        FleetOptions.Transport transport = switch (values.get("--transport")) {
            case "tcp" -> FleetOptions.Transport.TCP;
            case "ws", "websocket" -> FleetOptions.Transport.WEBSOCKET;
            default -> throw new IllegalArgumentException("--transport must be tcp or ws, got " + values.get("--transport"));
        };
        FleetOptions.PayloadFormat format = switch (values.get("--format")) {
            case "json" -> FleetOptions.PayloadFormat.JSON;
            case "senml" -> FleetOptions.PayloadFormat.SENML;
            default -> throw new IllegalArgumentException("--format must be json or senml, got " + values.get("--format"));
        };
        String address = transport == FleetOptions.Transport.TCP ? "--mqtt" : "--mqtt-ws";
        String[] mqtt = values.get(address).split(":");
        if (mqtt.length != 2) {
            throw new IllegalArgumentException(address + " must be HOST:PORT, got " + values.get(address));
        }
        if (integer(values, "--check-seconds") < 1) {
            throw new IllegalArgumentException("--check-seconds must be at least 1");
        }
        int seconds = integer(values, "--seconds");
        RateProfile profile = RateProfile.parse(values.get("--profile"), integer(values, "--rate"), seconds);
        return new FleetOptions(mqtt[0], integer(values, address, mqtt[1]), integer(values, "--devices"), profile, seconds,
                integer(values, "--qos"), integer(values, "--in-flight"), values.get("--run-id"), transport, format,
                values.get("--credentials").isEmpty() ? null : PasswordHash.newSecret(), integer(values, "--inject"),
                integer(values, "--pipeline"));
    }

    private static ClickHouseQueries clickHouse(Map<String, String> values) {
        ClickHouseQueries clickHouse = new ClickHouseQueries(new ClickHouseEndpoint(values.get("--clickhouse"), "default", ""));
        if (!clickHouse.ping()) {
            throw new IllegalArgumentException("ClickHouse does not answer at " + values.get("--clickhouse")
                    + "; is the stack up (./sluice up)?");
        }
        return clickHouse;
    }

    private static void benchStack(String[] args) throws Exception {
        Map<String, String> benchDefaults = new HashMap<>(Map.of("--devices", "500", "--rate", "25000", "--seconds", "30",
                "--check-seconds", "300", "--kafka-bootstrap", "127.0.0.1:9092", "--kafka-classpath", ".sluice/kafka/classpath"));
        benchDefaults.putAll(Map.of("--mosquitto", "/usr/sbin/mosquitto", "--bridge-metrics", "", "--processor-metrics", "",
                "--kafka-records", "1000000", "--json", ".sluice/bench/stack.json", "--pid-dir", ".sluice/run"));
        benchDefaults.putAll(Map.of("--sustained-seconds", "60", "--sustained-start", "10000", "--sustained-max", "40000",
                "--sustained-resolution", "2500"));
        Map<String, String> values = options(args, fleetDefaults(benchDefaults));
        FleetOptions fleet;
        ClickHouseQueries clickHouse;
        StackBenchmark.Setup setup;
        int kafkaRecords;
        try {
            fleet = fleet(values);
            clickHouse = clickHouse(values);
            kafkaRecords = integer(values, "--kafka-records");
            if (kafkaRecords < 1) {
                throw new IllegalArgumentException("--kafka-records must be positive");
            }
            Path classpath = Path.of(values.get("--kafka-classpath"));
            if (!java.nio.file.Files.isReadable(classpath)) {
                throw new IllegalArgumentException("no Kafka class path at " + classpath + " (./sluice build writes it)");
            }
            if (!java.nio.file.Files.isExecutable(Path.of(values.get("--mosquitto")))) {
                throw new IllegalArgumentException("no Mosquitto broker at " + values.get("--mosquitto")
                        + " (apt-get install mosquitto; ./sluice bench installs it)");
            }
            setup = new StackBenchmark.Setup(values.get("--kafka-bootstrap"), classpath, values.get("--mosquitto"),
                    list(values.get("--bridge-metrics")), list(values.get("--processor-metrics")),
                    values.get("--credentials").isEmpty() ? null : Path.of(values.get("--credentials")),
                    Path.of(values.get("--report-dir")), Path.of(values.get("--json")), Path.of(values.get("--pid-dir")),
                    sustainedSearch(values));
        } catch (IllegalArgumentException e) {
            fail(e.getMessage());
            return;
        }
        boolean exact = StackBenchmark.run(setup, fleet, kafkaRecords, clickHouse, Duration.ofSeconds(integer(values,
                "--check-seconds")), System.out);
        System.exit(exact ? 0 : 1);
    }

    private static SustainedRate.Search sustainedSearch(Map<String, String> values) {
        int seconds = integer(values, "--sustained-seconds");
        int start = integer(values, "--sustained-start");
        int max = integer(values, "--sustained-max");
        int resolution = integer(values, "--sustained-resolution");
        if (seconds < 0 || seconds > 600) {
            throw new IllegalArgumentException("--sustained-seconds must be 0 (no search) to 600");
        }
        if (start < 100 || max < start || resolution < 100) {
            throw new IllegalArgumentException("the sustained search needs 100 <= --sustained-start <= --sustained-max and"
                    + " --sustained-resolution >= 100");
        }
        return new SustainedRate.Search(start, max, resolution, seconds);
    }

    private static java.util.List<String> list(String commaSeparated) {
        return commaSeparated.isBlank() ? java.util.List.of() : java.util.List.of(commaSeparated.split(","));
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
                "--clickhouse-pid-file", ".sluice/run/clickhouse.pid", "--events", "250000", "--batch-rows", "100000",
                "--json", ".sluice/bench/sink.json"));
        try {
            int events = integer(values, "--events");
            int batchRows = integer(values, "--batch-rows");
            if (events < 1 || batchRows < 1) {
                throw new IllegalArgumentException("--events and --batch-rows must be positive");
            }
            SinkBenchmark.run(values.get("--clickhouse"), integer(values, "--clickhouse-tcp-port"),
                    java.nio.file.Path.of(values.get("--clickhouse-pid-file")), events, batchRows, java.nio.file.Path.of(values.get("--json")));
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
