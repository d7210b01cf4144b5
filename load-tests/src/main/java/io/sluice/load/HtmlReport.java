package io.sluice.load;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * A fleet run's HTML report: one self-contained page (inline CSS and SVG, no script, nothing fetched)
 * with the run's settings, totals, latency percentiles, the loss check, and two charts over time:
 * throughput (asked, sent, acknowledged per second) and publish-to-ack latency (p50, p99, max per second).
 */
final class HtmlReport {

    private static final int WIDTH = 860;
    private static final int HEIGHT = 260;
    private static final int LEFT = 70;
    private static final int BOTTOM = 30;

    private HtmlReport() {
    }

    private record Series(String name, String colour, ToDoubleFunction<FleetResult.Second> value) {
    }

    @SuppressWarnings("unchecked")
    static String render(Map<String, Object> figures) {
        List<FleetResult.Second> timeline = (List<FleetResult.Second>) figures.get("timeline");
        Map<String, Object> run = (Map<String, Object>) figures.get("run");
        StringBuilder html = new StringBuilder();
        html.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Sluice fleet run ")
                .append(escape(String.valueOf(run.get("runId")))).append("</title>\n<style>")
                .append("body{font-family:system-ui,sans-serif;margin:2em;color:#222}table{border-collapse:collapse;margin:0.5em 0 1.5em}")
                .append("td,th{border:1px solid #ccc;padding:3px 10px;text-align:right}th{background:#f4f4f4}td:first-child,th:first-child{text-align:left}")
                .append(".bad{color:#b00;font-weight:bold}.good{color:#070;font-weight:bold}svg{background:#fafafa;border:1px solid #ddd}")
                .append("</style></head><body>\n<h1>Sluice fleet run ").append(escape(String.valueOf(run.get("runId")))).append("</h1>\n");
        for (Map.Entry<String, Object> section : figures.entrySet()) {
            if (section.getKey().equals("timeline")) {
                continue;
            }
            html.append("<h2>").append(escape(title(section.getKey()))).append("</h2>\n");
            table(html, (Map<String, Object>) section.getValue());
        }
        html.append("<h2>Throughput over time (messages/s)</h2>\n");
        chart(html, timeline, List.of(new Series("asked (profile)", "#999", FleetResult.Second::targetRate),
                new Series("sent", "#1f77b4", s -> s.sent()), new Series("acknowledged", "#2ca02c", s -> s.acked()),
                new Series("errors", "#d62728", s -> s.errors())));
        html.append("<h2>Publish-to-ack latency over time (ms)</h2>\n");
        chart(html, timeline, List.of(new Series("p50", "#2ca02c", FleetResult.Second::p50Ms),
                new Series("p99", "#ff7f0e", FleetResult.Second::p99Ms), new Series("max", "#d62728", FleetResult.Second::maxMs)));
        html.append("<h2>Connections over time</h2>\n");
        chart(html, timeline, List.of(new Series("connections", "#9467bd", s -> s.connections())));
        html.append("<h2>Second by second</h2>\n<table><tr><th>t (s)</th><th>asked/s</th><th>sent</th><th>acknowledged</th>")
                .append("<th>errors</th><th>connections</th><th>p50 ms</th><th>p99 ms</th><th>max ms</th></tr>\n");
        for (FleetResult.Second s : timeline) {
            html.append(String.format(Locale.ROOT, "<tr><td>%.0f</td><td>%,.0f</td><td>%,d</td><td>%,d</td><td>%,d</td><td>%,d</td>"
                    + "<td>%.1f</td><td>%.1f</td><td>%.1f</td></tr>\n", s.t(), s.targetRate(), s.sent(), s.acked(), s.errors(),
                    s.connections(), s.p50Ms(), s.p99Ms(), s.maxMs()));
        }
        html.append("</table>\n</body></html>\n");
        return html.toString();
    }

    private static String title(String key) {
        return switch (key) {
            case "run" -> "Run";
            case "totals" -> "Totals";
            case "publishToAckMs" -> "Publish-to-ack latency (ms)";
            case "publishToQueryableMs" -> "Publish-to-queryable in ClickHouse (ms, sampled)";
            case "readings" -> "Loss and duplicate check (readings, per device and sequence)";
            case "injectedAnomalies" -> "Injected anomalies";
            default -> key;
        };
    }

    private static void table(StringBuilder html, Map<String, Object> values) {
        html.append("<table>");
        for (Map.Entry<String, Object> entry : values.entrySet()) {
            String value = format(entry.getValue());
            String css = entry.getKey().equals("exact") ? (Boolean.TRUE.equals(entry.getValue()) ? " class=\"good\"" : " class=\"bad\"")
                    : (entry.getKey().equals("lost") || entry.getKey().equals("duplicated"))
                    && !"0".equals(value) ? " class=\"bad\"" : "";
            html.append("<tr><th>").append(escape(entry.getKey())).append("</th><td").append(css).append('>')
                    .append(escape(value)).append("</td></tr>");
        }
        html.append("</table>\n");
    }

    private static String format(Object value) {
        if (value instanceof Long || value instanceof Integer) {
            return String.format(Locale.ROOT, "%,d", ((Number) value).longValue());
        }
        if (value instanceof Double d) {
            return String.format(Locale.ROOT, "%,.2f", d);
        }
        return String.valueOf(value);
    }

    private static void chart(StringBuilder html, List<FleetResult.Second> timeline, List<Series> series) {
        double maxT = Math.max(1, timeline.stream().mapToDouble(FleetResult.Second::t).max().orElse(1));
        double maxY = 0;
        for (Series s : series) {
            for (FleetResult.Second second : timeline) {
                maxY = Math.max(maxY, s.value().applyAsDouble(second));
            }
        }
        maxY = niceCeiling(maxY);
        int plotW = WIDTH - LEFT - 20;
        int plotH = HEIGHT - BOTTOM - 20;
        html.append(String.format(Locale.ROOT, "<svg width=\"%d\" height=\"%d\" xmlns=\"http://www.w3.org/2000/svg\" font-size=\"11\">",
                WIDTH, HEIGHT + 20));
        for (int i = 0; i <= 4; i++) {
            double y = 20 + plotH - plotH * i / 4.0;
            html.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#ddd\"/>"
                    + "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>", LEFT, y, LEFT + plotW, y, LEFT - 5, y + 4,
                    axis(maxY * i / 4)));
        }
        for (int i = 0; i <= 5; i++) {
            double x = LEFT + plotW * i / 5.0;
            html.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%.0f s</text>", x,
                    HEIGHT - 8, maxT * i / 5));
        }
        int legendX = LEFT + 10;
        for (Series s : series) {
            StringBuilder points = new StringBuilder();
            for (FleetResult.Second second : timeline) {
                double x = LEFT + plotW * second.t() / maxT;
                double y = 20 + plotH - (maxY == 0 ? 0 : plotH * s.value().applyAsDouble(second) / maxY);
                points.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y));
            }
            html.append("<polyline fill=\"none\" stroke-width=\"1.8\" stroke=\"").append(s.colour()).append("\" points=\"")
                    .append(points).append("\"/>");
            html.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"4\" width=\"12\" height=\"4\" fill=\"%s\"/>"
                    + "<text x=\"%d\" y=\"11\">%s</text>", legendX, s.colour(), legendX + 16, escape(s.name())));
            legendX += 30 + 7 * s.name().length();
        }
        html.append("</svg>\n");
    }

    private static double niceCeiling(double value) {
        if (value <= 0) {
            return 1;
        }
        double magnitude = Math.pow(10, Math.floor(Math.log10(value)));
        for (double step : new double[] {1, 2, 2.5, 5, 10}) {
            if (step * magnitude >= value) {
                return step * magnitude;
            }
        }
        return 10 * magnitude;
    }

    private static String axis(double value) {
        if (value >= 10_000) {
            return String.format(Locale.ROOT, "%,.0fk", value / 1000);
        }
        return String.format(Locale.ROOT, value >= 10 ? "%,.0f" : "%.2f", value);
    }

    private static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
