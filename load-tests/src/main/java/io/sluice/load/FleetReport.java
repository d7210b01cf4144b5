package io.sluice.load;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.HdrHistogram.Histogram;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import io.sluice.clickhouse.ClickHouseQueries;

/**
 * What a fleet run prints and writes: a live progress line; at the end a text summary with the loss
 * check, a JSON file of every figure, and an HTML report with charts ({@link HtmlReport}) that opens
 * in a browser without a network; and the demo's look at ClickHouse.
 */
public final class FleetReport {

    private static final double[] PERCENTILES = {50, 90, 99, 99.9, 100};
    private final PrintStream out;

    public FleetReport(PrintStream out) {
        this.out = out;
    }

    void starting(FleetOptions options) {
        out.printf(Locale.ROOT, "Fleet %s: %d devices through %s:%d (%s, %s%s), %s (4 readings a message) at QoS %d for %d s%n",
                options.runId(), options.devices(), options.host(), options.port(),
                options.transport() == FleetOptions.Transport.TCP ? "MQTT over TCP" : "MQTT over WebSocket", options.format(),
                options.fleetSecret() == null ? "" : ", each with its own credentials", options.profile().describe(),
                options.qos(), options.seconds());
    }

    void progress(FleetSimulator.Progress progress) {
        double p99 = progress.interval().getTotalCount() == 0 ? 0 : progress.interval().getValueAtPercentile(99) / 1000.0;
        out.printf(Locale.ROOT, "[%4.0fs] target %,7.0f/s  sent %,10d  acknowledged %,10d  errors %,d  connections %,d  p99 %.1f ms%n",
                progress.elapsedSeconds(), progress.targetRate(), progress.sent(), progress.acked(), progress.errors(),
                progress.connections(), p99);
    }

    /** Everything measured, as the JSON file has it (and the HTML report shows it). */
    static Map<String, Object> figures(FleetResult result, LossCheck check, Histogram endToEndMillis, InjectionCheck injections) {
        Map<String, Object> figures = new LinkedHashMap<>();
        FleetOptions options = result.options();
        Map<String, Object> run = new LinkedHashMap<>();
        run.put("runId", options.runId());
        run.put("devices", options.devices());
        run.put("profile", options.profile().describe());
        run.put("qos", options.qos());
        run.put("transport", options.transport().name());
        run.put("format", options.format().name());
        run.put("credentials", options.fleetSecret() != null);
        run.put("seconds", options.seconds());
        run.put("endpoint", options.host() + ":" + options.port());
        figures.put("run", run);
        Map<String, Object> totals = new LinkedHashMap<>();
        totals.put("sent", result.sent());
        totals.put("acknowledged", result.acked());
        totals.put("errors", result.errors());
        totals.put("elapsedSeconds", round(result.elapsedSeconds()));
        totals.put("acknowledgedPerSecond", round(result.ackedPerSecond()));
        totals.put("peakConnections", result.peakConnections());
        totals.put("refusals", result.refusals());
        totals.put("simulatorCpuMicrosPerMessage", round(result.simulatorCpuMicrosPerMessage()));
        totals.put("simulatorEventLoopCpuMicrosPerMessage", round(result.eventLoopCpuMicrosPerMessage()));
        figures.put("totals", totals);
        figures.put("publishToAckMs", percentiles(result.latencyMicros(), 1000.0));
        if (endToEndMillis != null) {
            Map<String, Object> endToEnd = percentiles(endToEndMillis, 1.0);
            endToEnd.put("samples", endToEndMillis.getTotalCount());
            figures.put("publishToQueryableMs", endToEnd);
        }
        if (check != null) {
            Map<String, Object> loss = new LinkedHashMap<>();
            loss.put("readingsSent", result.sent() * result.readingsPerMessage());
            loss.put("acknowledged", check.acknowledged());
            loss.put("stored", check.stored());
            loss.put("lost", check.lost());
            loss.put("duplicated", check.duplicated());
            loss.put("rowsBeforeFinal", check.rawRows());
            loss.put("exact", check.exact());
            figures.put("readings", loss);
        }
        if (injections != null) {
            figures.put("injectedAnomalies", Map.of("injected", injections.injected(), "caught", injections.caught(),
                    "missed", injections.missed(), "falseAlarms", injections.falseAlarms(), "anomaliesByDetector",
                    injections.byDetector()));
        }
        figures.put("timeline", result.timeline());
        return figures;
    }

    private static Map<String, Object> percentiles(Histogram histogram, double unit) {
        Map<String, Object> values = new LinkedHashMap<>();
        for (double p : PERCENTILES) {
            values.put(p == 100 ? "max" : "p" + (p == Math.rint(p) ? String.valueOf((int) p) : String.valueOf(p)),
                    histogram.getTotalCount() == 0 ? 0 : round(histogram.getValueAtPercentile(p) / unit));
        }
        return values;
    }

    private static double round(double value) {
        return Math.round(value * 100) / 100.0;
    }

    void summary(FleetResult result, LossCheck check, Histogram endToEndMillis, InjectionCheck injections) {
        out.println();
        out.printf(Locale.ROOT, "Sent %,d messages, acknowledged %,d (%,.0f/s), errors %,d, peak connections %,d%n",
                result.sent(), result.acked(), result.ackedPerSecond(), result.errors(), result.peakConnections());
        if (!result.refusals().isEmpty()) {
            out.println("Connection failures by reason: " + result.refusals());
        }
        out.printf(Locale.ROOT, "Publish-to-ack latency: p50 %.1f ms, p99 %.1f ms, p99.9 %.1f ms, max %.1f ms%n",
                result.latencyMillis(50), result.latencyMillis(99), result.latencyMillis(99.9), result.latencyMillis(100));
        if (endToEndMillis != null && endToEndMillis.getTotalCount() > 0) {
            out.printf(Locale.ROOT, "Publish-to-queryable in ClickHouse (%d samples): p50 %d ms, p99 %d ms, max %d ms%n",
                    endToEndMillis.getTotalCount(), endToEndMillis.getValueAtPercentile(50), endToEndMillis.getValueAtPercentile(99),
                    endToEndMillis.getMaxValue());
        }
        out.printf(Locale.ROOT, "Simulator CPU: %.1f µs per message (the process), %.1f µs in its event loops%n",
                result.simulatorCpuMicrosPerMessage(), result.eventLoopCpuMicrosPerMessage());
        if (check != null) {
            out.printf(Locale.ROOT,
                    "Readings: sent %,d  acknowledged %,d  stored %,d  lost %,d  duplicated %,d  (%s); rows before FINAL %,d%n",
                    result.sent() * result.readingsPerMessage(), check.acknowledged(), check.stored(), check.lost(),
                    check.duplicated(), check.exact() ? "exact" : "NOT EXACT", check.rawRows());
        }
        if (injections != null) {
            out.printf(Locale.ROOT, "Injected anomalies: %d, caught %d, false alarms %d%s; anomalies by detector %s%n",
                    injections.injected(), injections.caught(), injections.falseAlarms(),
                    injections.missed().isEmpty() ? "" : " (missed: " + String.join(", ", injections.missed()) + ")",
                    injections.byDetector());
        }
    }

    /** Writes {@code report.json} and {@code report.html} into {@code dir}; returns the HTML file. */
    static Path write(Path dir, Map<String, Object> figures) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("report.json"),
                new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(figures));
        Path html = dir.resolve("report.html");
        Files.writeString(html, HtmlReport.render(figures));
        return html;
    }

    public void clickHouseContents(ClickHouseQueries clickHouse, String runId) throws IOException, InterruptedException {
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
