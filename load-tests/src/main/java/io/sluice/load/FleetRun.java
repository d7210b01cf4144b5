package io.sluice.load;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;

import org.HdrHistogram.Histogram;

import io.sluice.clickhouse.ClickHouseQueries;

/**
 * One fleet run against a running stack, start to finish: provisions the devices' credentials (when
 * authentication is on), runs the fleet with anomalies injected and end-to-end latency sampled,
 * withdraws the credentials, checks every acknowledged reading against ClickHouse, matches the
 * injections against the anomalies found, then prints the summary and writes the JSON and HTML reports.
 * Without ClickHouse ({@code null}: a bare MQTT broker as the baseline) only the MQTT side is measured.
 */
public final class FleetRun {

    private static final Duration ANOMALIES_ARRIVAL = Duration.ofSeconds(30);

    public record Outcome(FleetResult result, LossCheck check, Histogram endToEndMillis, InjectionCheck injections, Path html) {
    }

    private FleetRun() {
    }

    public static Outcome run(FleetOptions options, ClickHouseQueries clickHouse, Path credentials, Path reportRoot, Duration checkTimeout,
                       PrintStream out, Consumer<FleetSimulator.Progress> alsoOnProgress) throws Exception {
        FleetReport report = new FleetReport(out);
        report.starting(options);
        if (credentials != null) {
            FleetCredentials.provision(credentials, options);
            // The bridges reload the file within their reload interval; the simulator retries refusals until then.
            out.printf("Provisioned %d devices' credentials into %s (withdrawn after the run)%n", options.devices(), credentials);
        }
        List<LiveInjection.Planned> plan = LiveInjection.plan(options, options.runId().hashCode());
        long startMs = System.currentTimeMillis();
        FleetResult result;
        Histogram endToEnd;
        EndToEndSampler sampler = clickHouse == null ? null : new EndToEndSampler(clickHouse);
        LossCheck check;
        long endMs;
        try {
            try {
                result = FleetSimulator.run(options, plan, progress -> {
                    report.progress(progress);
                    alsoOnProgress.accept(progress);
                }, sampler == null ? sample -> { } : sampler::offer);
                endMs = System.currentTimeMillis();
            } finally {
                if (credentials != null) {
                    FleetCredentials.withdraw(credentials, options.runId());
                }
            }
            // The sampler goes on polling while the loss check waits for ClickHouse, so that samples still
            // on their way when the fleet stopped are timed when they land, not left out (which would flatter).
            check = clickHouse == null ? null : LossCheck.against(clickHouse, result, checkTimeout);
            endToEnd = sampler == null ? null : sampler.stop(10);
        } finally {
            if (sampler != null) {
                sampler.close();
            }
        }
        InjectionCheck injections = plan.isEmpty() || clickHouse == null ? null
                : awaitInjections(clickHouse, options, plan, startMs, endMs);
        report.summary(result, check, endToEnd, injections);
        Path dir = reportRoot.resolve(options.runId());
        Path html = FleetReport.write(dir, FleetReport.figures(result, check, endToEnd, injections));
        if (!plan.isEmpty()) {
            LiveInjection.writeGroundTruth(plan, dir.resolve("ground-truth.jsonl"));
        }
        out.println("Report: " + html.toAbsolutePath() + " (figures in report.json"
                + (plan.isEmpty() ? "" : ", injected anomalies in ground-truth.jsonl") + ")");
        return new Outcome(result, check, endToEnd, injections, html);
    }

    /** Anomalies travel their own topic to their own table: waits (with a deadline) until every injection is caught. */
    private static InjectionCheck awaitInjections(ClickHouseQueries clickHouse, FleetOptions options, List<LiveInjection.Planned> plan,
                                                  long startMs, long endMs) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + ANOMALIES_ARRIVAL.toNanos();
        InjectionCheck check = InjectionCheck.against(clickHouse, options, plan, startMs, endMs);
        while (check.caught() < check.injected() && System.nanoTime() < deadline) {
            Thread.sleep(500);
            check = InjectionCheck.against(clickHouse, options, plan, startMs, endMs);
        }
        return check;
    }
}
