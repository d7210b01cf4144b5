package io.sluice.load;

import java.io.IOException;
import java.io.PrintStream;
import java.util.List;
import java.util.Locale;

import io.sluice.sink.ClickHouseQueries;

/** What a fleet run prints: a live progress line, a summary with the loss check, and the demo's report. */
final class FleetReport {

    private final PrintStream out;

    FleetReport(PrintStream out) {
        this.out = out;
    }

    void starting(FleetOptions options) {
        out.printf(Locale.ROOT, "Fleet %s: %d devices through %s:%d, %d messages/s (4 readings each) at QoS %d for %d s%n",
                options.runId(), options.devices(), options.host(), options.port(), options.messagesPerSecond(), options.qos(),
                options.seconds());
    }

    void progress(FleetSimulator.Progress progress) {
        double p99 = progress.interval().getTotalCount() == 0 ? 0 : progress.interval().getValueAtPercentile(99) / 1000.0;
        out.printf(Locale.ROOT, "[%4.0fs] sent %,10d  acknowledged %,10d  errors %,d  connections %,d  p99 %.1f ms%n",
                progress.elapsedSeconds(), progress.sent(), progress.acked(), progress.errors(), progress.connections(), p99);
    }

    void summary(FleetResult result, LossCheck check) {
        out.println();
        out.printf(Locale.ROOT, "Sent %,d messages, acknowledged %,d (%,.0f/s), errors %,d%n",
                result.sent(), result.acked(), result.ackedPerSecond(), result.errors());
        out.printf(Locale.ROOT, "Publish-to-ack latency: p50 %.1f ms, p99 %.1f ms, max %.1f ms%n",
                result.latencyMillis(50), result.latencyMillis(99), result.latencyMillis(100));
        out.printf(Locale.ROOT, "Simulator CPU: %.1f µs per message%n", result.simulatorCpuMicrosPerMessage());
        out.printf(Locale.ROOT, "Readings: acknowledged %,d  stored %,d  lost %,d  duplicated %,d  (%s); rows before FINAL %,d%n",
                check.acknowledged(), check.stored(), check.lost(), check.duplicated(),
                check.exact() ? "exact" : "NOT EXACT", check.rawRows());
    }

    void clickHouseContents(ClickHouseQueries clickHouse, String runId) throws IOException, InterruptedException {
        out.println();
        out.println("What is in ClickHouse now (table sluice.telemetry):");
        long total = 0;
        out.printf("  %-16s %14s%n", "metric", "rows");
        for (String[] row : clickHouse.rows("SELECT metric, count() FROM sluice.telemetry GROUP BY metric ORDER BY metric")) {
            out.printf(Locale.ROOT, "  %-16s %,14d%n", row[0], Long.parseLong(row[1]));
            total += Long.parseLong(row[1]);
        }
        out.printf(Locale.ROOT, "  %-16s %,14d   = SELECT count() FROM sluice.telemetry: %,d%n", "all metrics", total,
                clickHouse.number("SELECT count() FROM sluice.telemetry"));
        String run = "device_id LIKE '" + runId + "-%'";
        List<String[]> perDevice = clickHouse.rows("SELECT device_id, count() AS rows FROM sluice.telemetry WHERE " + run
                + " GROUP BY device_id ORDER BY rows DESC, device_id");
        out.printf(Locale.ROOT, "%nRows per device of this run (%d devices; the busiest and the quietest):%n", perDevice.size());
        for (int i = 0; i < perDevice.size(); i++) {
            if (i < 5 || i >= perDevice.size() - 5) {
                out.printf(Locale.ROOT, "  %-28s %,10d%n", perDevice.get(i)[0], Long.parseLong(perDevice.get(i)[1]));
            } else if (i == 5) {
                out.println("  ...");
            }
        }
        String[] span = clickHouse.rows("SELECT count(), min(received_at_ms), max(received_at_ms) FROM sluice.telemetry WHERE "
                + run).get(0);
        double seconds = Math.max(1, Long.parseLong(span[2]) - Long.parseLong(span[1])) / 1000.0;
        out.printf(Locale.ROOT, "%nIngest rate of this run: %,.0f readings/s (%,d rows received over %.1f s)%n",
                Long.parseLong(span[0]) / seconds, Long.parseLong(span[0]), seconds);
        out.printf(Locale.ROOT, "Devices in the table: %,d%n",
                clickHouse.number("SELECT uniqExact(device_id) FROM sluice.telemetry"));
    }
}
