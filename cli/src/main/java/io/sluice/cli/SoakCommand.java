package io.sluice.cli;

import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import io.sluice.cli.soak.ProcessSample;
import io.sluice.cli.soak.SoakReport;
import io.sluice.clickhouse.ClickHouseQueries;
import io.sluice.load.FleetOptions;
import io.sluice.load.FleetRun;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code sluice soak}: moderate load for a long while (30 minutes by default) with every process of the stack sampled
 * (resident memory, file descriptors, threads, old generation), the heap after a full collection taken at the start and
 * the end, and a verdict on each trend; a report with charts. Exit 1 when something grew or a reading was lost.
 */
@Command(name = "soak", sortOptions = false, header = "Long moderate load: memory, descriptors and threads watched for growth",
        description = {"Runs the fleet at a moderate rate for --minutes while every process of the stack is sampled: resident",
                "memory, file descriptors, threads, old generation; the heap after a full collection at the start and the",
                "end. Prints each trend's verdict and writes an HTML report with charts. Exits 1 if anything grew past its",
                "allowance or a reading was lost."})
final class SoakCommand implements java.util.concurrent.Callable<Integer> {

    @Option(names = "--minutes", paramLabel = "N", defaultValue = "30", converter = BoundedInt.Minutes.class,
            description = "how long, 2 to 1440 (default: ${DEFAULT-VALUE})")
    int minutes;

    @Option(names = "--sample-seconds", paramLabel = "N", defaultValue = "10", converter = BoundedInt.Seconds.class,
            description = "time between samples (default: ${DEFAULT-VALUE})")
    int sampleSeconds;

    @Mixin
    FleetMixin fleet;

    @Mixin
    StackOptions stack;

    @Override
    public Integer call() throws Exception {
        ClickHouseQueries clickHouse = stack.runningClickHouse();
        Path home = StackOptions.home();
        FleetOptions options = fleet.fleet(200, 2000, minutes * 60);
        List<StackProcesses.Process> processes = StackProcesses.all(home).stream().filter(StackProcesses.Process::running).toList();
        CompletableFuture<FleetRun.Outcome> run = CompletableFuture.supplyAsync(() -> {
            try {
                return FleetRun.run(options, clickHouse, fleet.credentialsFile(), fleet.reportDir(), Duration.ofSeconds(120),
                        System.out, progress -> { });
            } catch (Exception e) {
                throw new IllegalStateException(e.getMessage(), e);
            }
        });
        long start = System.nanoTime();
        double warmUp = Math.min(120, minutes * 6.0); // a tenth of the run, at most two minutes
        List<ProcessSample> samples = new ArrayList<>();
        Map<String, Double> heapStart = new LinkedHashMap<>();
        Map<String, Double> heapEnd = new LinkedHashMap<>();
        while (!run.isDone()) {
            double seconds = (System.nanoTime() - start) / 1e9;
            if (heapStart.isEmpty() && seconds >= warmUp) {
                heaps(processes, heapStart);
            }
            for (StackProcesses.Process p : processes) {
                samples.add(ProcessSample.of(p.name(), p.pid(), metricsUrl(p), seconds));
            }
            if (seconds > minutes * 60 - sampleSeconds && heapEnd.isEmpty()) {
                heaps(processes, heapEnd);
            }
            Thread.sleep(sampleSeconds * 1000L);
        }
        FleetRun.Outcome outcome = run.join();
        SoakReport report = new SoakReport(samples, heapStart, heapEnd);
        System.out.println();
        report.print(System.out);
        Path dir = home.resolve("soak").resolve(LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        report.write(dir);
        System.out.println("Report: " + dir.resolve("report.html") + " (figures in soak.json)");
        boolean exact = outcome.check() != null && outcome.check().exact();
        return report.flat() && exact ? 0 : 1;
    }

    private static void heaps(List<StackProcesses.Process> processes, Map<String, Double> into) {
        for (StackProcesses.Process p : processes) {
            ProcessSample.heapAfterFullGc(p.pid()).ifPresent(mb -> into.put(p.name(), mb));
        }
    }

    private static String metricsUrl(StackProcesses.Process p) {
        return p.health().startsWith("http:") && !p.name().equals("clickhouse")
                ? p.health().substring(5).replace("/health/ready", "/metrics") : null;
    }
}
