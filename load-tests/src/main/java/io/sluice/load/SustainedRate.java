package io.sluice.load;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import io.sluice.clickhouse.ClickHouseQueries;

/**
 * The highest steady rate the stack digests: a search over rates, each held for a while (60 s by
 * default) by a fleet of one device per 10 messages/s, as the issue that asked for it measured. A rate
 * passes when every acknowledged reading is stored once, publish-to-queryable p99 stays within 2 s,
 * and the acknowledgements keep up with what was offered (at least 97%). The search climbs by half
 * until a rate fails, then bisects down to its resolution. Each step also reads every process's CPU
 * per message.
 */
public final class SustainedRate {

    static final long QUERYABLE_P99_LIMIT_MS = 2_000;
    static final double ACKED_SHARE = 0.97;
    private static final int MAX_STEPS = 7;

    /** The search's bounds and the length of each step. */
    public record Search(int startRate, int maxRate, int resolution, int seconds) {
    }

    /** One rate tried. */
    record Step(int rate, int devices, int readingsPerMessage, double ackedPerSecond, double ackP99Ms, long queryableP50Ms,
                long queryableP99Ms, long samples, long lost, long duplicated, Map<String, Double> cpuMicrosPerMessage, boolean pass) {
    }

    record Result(int sustainedRate, int readingsPerMessage, List<Step> steps) {
    }

    private SustainedRate() {
    }

    static Result search(FleetOptions template, Search search, ClickHouseQueries clickHouse, Path credentials, Path reportDir,
                         StackCpu cpu, Duration checkTimeout, PrintStream out) throws Exception {
        List<Step> steps = new ArrayList<>();
        int readingsPerMessage = 0;
        int passed = 0;
        int failed = Integer.MAX_VALUE;
        int rate = search.startRate();
        while (steps.size() < MAX_STEPS) {
            out.printf(Locale.ROOT, "%n-- sustained search, step %d: %,d msg/s for %d s%n", steps.size() + 1, rate, search.seconds());
            Step step = run(template, rate, search.seconds(), clickHouse, credentials, reportDir, cpu, checkTimeout, out);
            readingsPerMessage = step.readingsPerMessage();
            steps.add(step);
            if (step.pass()) {
                passed = rate;
            } else {
                failed = Math.min(failed, rate);
            }
            int next;
            if (failed == Integer.MAX_VALUE) {
                if (rate >= search.maxRate()) {
                    break;
                }
                next = Math.min(search.maxRate(), round(rate + Math.max(rate / 2, search.resolution()), search.resolution()));
            } else {
                next = round((passed + failed) / 2, search.resolution());
            }
            if (next <= passed || next >= failed || failed - passed <= search.resolution()) {
                break;
            }
            rate = next;
        }
        return new Result(passed, readingsPerMessage, steps);
    }

    /** The template's fleet at a steady rate: one device per 10 messages/s (100 to 20,000), its run id suffixed. */
    static FleetOptions steadyFleet(FleetOptions template, int rate, int seconds, String runIdSuffix) {
        int devices = Math.max(100, Math.min(20_000, rate / 10));
        return new FleetOptions(template.host(), template.port(), devices, new RateProfile.Steady(rate), seconds,
                template.qos(), template.inFlightPerDevice(), template.runId() + runIdSuffix, template.transport(), template.format(),
                template.fleetSecret(), 0, template.pipeline());
    }

    private static int round(int rate, int resolution) {
        return Math.max(resolution, Math.round(rate / (float) resolution) * resolution);
    }

    private static Step run(FleetOptions template, int rate, int seconds, ClickHouseQueries clickHouse, Path credentials,
                            Path reportDir, StackCpu cpu, Duration checkTimeout, PrintStream out) throws Exception {
        FleetOptions fleet = steadyFleet(template, rate, seconds, "-s" + rate);
        StackCpu.Window window = cpu.window();
        FleetRun.Outcome outcome = FleetRun.run(fleet, clickHouse, credentials, reportDir, checkTimeout, out, window::onProgress);
        Map<String, Double> perMessage = window.perMessage();
        perMessage.put("simulator", outcome.result().simulatorCpuMicrosPerMessage());
        long samples = outcome.endToEndMillis() == null ? 0 : outcome.endToEndMillis().getTotalCount();
        long p50 = samples == 0 ? -1 : outcome.endToEndMillis().getValueAtPercentile(50);
        long p99 = samples == 0 ? -1 : outcome.endToEndMillis().getValueAtPercentile(99);
        boolean pass = outcome.check().exact() && samples > 0 && p99 <= QUERYABLE_P99_LIMIT_MS
                && outcome.result().ackedPerSecond() >= ACKED_SHARE * rate;
        return new Step(rate, fleet.devices(), outcome.result().readingsPerMessage(), outcome.result().ackedPerSecond(), outcome.result().latencyMillis(99), p50, p99, samples,
                outcome.check().lost(), outcome.check().duplicated(), perMessage, pass);
    }

    /** The steps as one table, in the layout: CPU per message by kind of process. */
    static void print(Result result, PrintStream out) {
        out.printf(Locale.ROOT, "%n%9s %9s %8s %16s %8s", "offered", "acked/s", "ack p99", "queryable p50/p99", "stack");
        for (String kind : StackCpu.KINDS) {
            out.printf(Locale.ROOT, " %10s", kind);
        }
        out.printf(Locale.ROOT, " %10s  %s%n", "simulator", "result (CPU in µs per message)");
        for (Step step : result.steps()) {
            Map<String, Double> kinds = StackCpu.byKind(withoutSimulator(step.cpuMicrosPerMessage()));
            out.printf(Locale.ROOT, "%,9d %,9.0f %6.0f ms %7d / %5d ms %8.1f", step.rate(), step.ackedPerSecond(), step.ackP99Ms(),
                    step.queryableP50Ms(), step.queryableP99Ms(), kinds.get("stack"));
            for (String kind : StackCpu.KINDS) {
                out.printf(Locale.ROOT, " %10.1f", kinds.get(kind));
            }
            out.printf(Locale.ROOT, " %10.1f  %s%n", step.cpuMicrosPerMessage().getOrDefault("simulator", 0.0),
                    step.pass() ? "pass" : "FAIL" + (step.lost() + step.duplicated() > 0 ? " (lost " + step.lost() + ", duplicated "
                            + step.duplicated() + ")" : ""));
        }
        out.printf(Locale.ROOT, "Sustained: %,d msg/s (%,d readings/s): the highest rate held with publish-to-queryable p99 <= %d ms,"
                + " nothing lost, acknowledgements keeping up%n", result.sustainedRate(), (long) result.sustainedRate() * result.readingsPerMessage(), QUERYABLE_P99_LIMIT_MS);
    }

    static Map<String, Double> withoutSimulator(Map<String, Double> perMessage) {
        Map<String, Double> stack = new java.util.TreeMap<>(perMessage);
        stack.remove("simulator");
        return stack;
    }
}
