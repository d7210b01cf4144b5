package io.sluice.cli;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import io.sluice.cli.chaos.ChaosRun;
import io.sluice.cli.chaos.ChaosScenario;
import io.sluice.cli.chaos.NativeStack;
import io.sluice.clickhouse.ClickHouseQueries;
import io.sluice.load.FleetOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.TypeConversionException;

/**
 * {@code sluice chaos SCENARIO|all}: faults injected into the running native stack under QoS 1 load through HAProxy;
 * for each, sent / acknowledged / stored / lost / duplicated and the times to recover; exit 1 on any loss or duplicate.
 */
@Command(name = "chaos", sortOptions = false, header = "Faults under load: lost and duplicated readings counted",
        description = {"Runs QoS 1 load through HAProxy on the native stack while it injects a fault, then checks every",
                "acknowledged reading in ClickHouse. Scenarios: bridge-kill, rolling-restart, processor-kill,",
                "kafka-restart, clickhouse-down, sink-kill, network-cut, kafka-disk-full (the last two need root),",
                "or all. Exits 1 if any reading was lost or duplicated."})
final class ChaosCommand implements Callable<Integer> {

    // Converters check as arguments are parsed, so that ./sluice refuses a mistake before it starts the stack.
    @Parameters(paramLabel = "SCENARIO", converter = Scenarios.class,
            description = "bridge-kill, rolling-restart, processor-kill, kafka-restart, clickhouse-down, sink-kill, network-cut, kafka-disk-full or all")
    String scenario;

    @Option(names = "--fault-after", paramLabel = "SECONDS", defaultValue = "10", converter = BoundedInt.Seconds.class,
            description = "when the fault comes, into the load (default: ${DEFAULT-VALUE})")
    int faultAfter;

    @Option(names = "--outage", paramLabel = "SECONDS", defaultValue = "60", converter = BoundedInt.Seconds.class,
            description = "how long ClickHouse stays down or the network cut (default: ${DEFAULT-VALUE})")
    int outage;

    static final class Scenarios implements ITypeConverter<String> {
        @Override
        public String convert(String value) {
            try {
                scenarios(value);
                return value;
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    static List<ChaosScenario> scenarios(String value) {
        return value.equals("all") ? Arrays.asList(ChaosScenario.values()) : List.of(ChaosScenario.of(value));
    }

    @Option(names = "--json", paramLabel = "FILE", description = "where the figures go (default: $SLUICE_HOME/chaos/chaos.json)")
    Path json;

    @Mixin
    FleetMixin fleet;

    @Mixin
    StackOptions stack;

    @Override
    public Integer call() throws Exception {
        String script = System.getenv("SLUICE_SCRIPT");
        if (script == null) {
            throw new UserError("chaos drives the native stack through ./sluice: run it as ./sluice chaos");
        }
        NativeStack native_ = new NativeStack(StackOptions.home(), Path.of(script));
        ClickHouseQueries clickHouse = stack.runningClickHouse();
        PrintStream out = System.out;
        List<ChaosRun.Result> results = new ArrayList<>();
        for (ChaosScenario each : scenarios(scenario)) {
            int seconds = faultAfter + (int) each.down(Duration.ofSeconds(outage)).toSeconds() + 45;
            FleetOptions options = fleet.fleet(LoadCommand.DEVICES, LoadCommand.RATE, seconds);
            options = new FleetOptions(options.host(), options.port(), options.devices(), options.profile(), options.seconds(),
                    1, options.inFlightPerDevice(), shortened(options.runId(), each), options.transport(), FleetOptions.PayloadFormat.JSON,
                    options.fleetSecret(), 0, options.pipeline());
            out.printf("%n=== chaos: %s%n", each.label());
            results.add(ChaosRun.run(each, native_, options, Duration.ofSeconds(faultAfter), Duration.ofSeconds(outage), clickHouse,
                    fleet.credentialsFile(), fleet.reportDir(), out));
        }
        print(results, out);
        write(results, json != null ? json : StackOptions.home().resolve("chaos/chaos.json"));
        return results.stream().allMatch(ChaosRun.Result::passed) ? 0 : 1;
    }

    private static String shortened(String runId, ChaosScenario scenario) {
        String id = runId + "-" + scenario.label().replaceAll("[^a-z]", "").substring(0, 6);
        return id.length() <= 40 ? id : id.substring(id.length() - 40);
    }

    private static void print(List<ChaosRun.Result> results, PrintStream out) {
        out.println();
        out.printf("%-16s %9s %9s %9s %6s %10s %12s %14s  %s%n", "SCENARIO", "SENT", "ACKED", "STORED", "LOST", "DUPLICATED",
                "ACKS BACK", "STORED CAUGHT", "VERDICT");
        for (ChaosRun.Result r : results) {
            out.printf("%-16s %,9d %,9d %,9d %6d %10d %12s %14s  %s%n", r.scenario().label(), r.sent(), r.acknowledged(), r.stored(),
                    r.lost(), r.duplicated(), seconds(r.acksBackAfter()), seconds(r.storedCaughtUpAfter()),
                    r.passed() ? "ok" : r.failure() != null ? "FAILED: " + r.failure() : "FAILED");
        }
        out.println("(acked and sent are messages, stored/lost/duplicated readings, 4 a message; times from the fault)");
    }

    private static String seconds(double value) {
        return value < 0 ? "-" : String.format("%.1f s", value);
    }

    private static void write(List<ChaosRun.Result> results, Path file) throws java.io.IOException {
        List<Map<String, Object>> rows = new ArrayList<>();
        for (ChaosRun.Result r : results) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("scenario", r.scenario().label());
            row.put("sent", r.sent());
            row.put("acknowledged", r.acknowledged());
            row.put("stored", r.stored());
            row.put("lost", r.lost());
            row.put("duplicated", r.duplicated());
            row.put("acks_back_after_s", r.acksBackAfter());
            row.put("stored_caught_up_after_s", r.storedCaughtUpAfter());
            row.put("passed", r.passed());
            row.put("failure", r.failure());
            rows.add(row);
        }
        Files.createDirectories(file.toAbsolutePath().getParent());
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), Map.of("scenarios", rows));
        System.out.println("Figures: " + file);
    }
}
