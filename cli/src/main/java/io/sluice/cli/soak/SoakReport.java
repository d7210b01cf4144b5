package io.sluice.cli.soak;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

/**
 * A soak's verdict and report: for each process and measure, the mean of the first and the last tenth of the run and
 * whether it grew past its allowance (a leak shows as growth that the warm-up does not explain); the heap after a full
 * collection at the start and the end; an HTML page with a chart per measure, one line per process.
 */
public final class SoakReport {

    /** A measure's allowance: it may grow by this fraction plus this much before it counts as growing. */
    private record Allowance(double fraction, double absolute) {
        boolean grew(double first, double last) {
            return last > first * (1 + fraction) + absolute;
        }
    }

    private static final Map<String, Allowance> ALLOWANCES = Map.of(
            ProcessSample.RSS, new Allowance(0.25, 64), ProcessSample.FDS, new Allowance(0.10, 8),
            ProcessSample.THREADS, new Allowance(0.10, 4));
    private static final Allowance HEAP = new Allowance(0.20, 16);

    /** One row of the verdict. */
    public record Trend(String process, String measure, double first, double last, boolean growing) {
    }

    private final List<ProcessSample> samples;
    private final Map<String, Double> heapStart;
    private final Map<String, Double> heapEnd;

    public SoakReport(List<ProcessSample> samples, Map<String, Double> heapStart, Map<String, Double> heapEnd) {
        this.samples = samples;
        this.heapStart = heapStart;
        this.heapEnd = heapEnd;
    }

    public List<Trend> trends() {
        List<Trend> trends = new ArrayList<>();
        for (String process : processes()) {
            for (String measure : List.of(ProcessSample.RSS, ProcessSample.FDS, ProcessSample.THREADS)) {
                List<Double> series = series(process, measure);
                if (series.size() < 10) {
                    continue;
                }
                int tenth = Math.max(1, series.size() / 10);
                double first = mean(series.subList(0, tenth));
                double last = mean(series.subList(series.size() - tenth, series.size()));
                trends.add(new Trend(process, measure, first, last, ALLOWANCES.get(measure).grew(first, last)));
            }
            if (heapStart.containsKey(process) && heapEnd.containsKey(process)) {
                double first = heapStart.get(process);
                double last = heapEnd.get(process);
                trends.add(new Trend(process, "heap_after_full_gc_mb", first, last, HEAP.grew(first, last)));
            }
        }
        return trends;
    }

    public boolean flat() {
        return trends().stream().noneMatch(Trend::growing);
    }

    public void print(PrintStream out) {
        out.printf("%-14s %-22s %10s %10s  %s%n", "PROCESS", "MEASURE", "START", "END", "TREND");
        for (Trend t : trends()) {
            out.printf(Locale.ROOT, "%-14s %-22s %10.1f %10.1f  %s%n", t.process(), t.measure(), t.first(), t.last(),
                    t.growing() ? "GROWING" : "flat");
        }
        out.println(flat() ? "Verdict: flat (nothing grew past its allowance)" : "Verdict: GROWING (see the rows above)");
    }

    public void write(Path dir) throws IOException {
        Files.createDirectories(dir);
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("flat", flat());
        json.put("trends", trends());
        json.put("heap_after_full_gc_start_mb", heapStart);
        json.put("heap_after_full_gc_end_mb", heapEnd);
        json.put("samples", samples);
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(dir.resolve("soak.json").toFile(), json);
        StringBuilder html = new StringBuilder("<!doctype html><meta charset=utf-8><title>Sluice soak</title>"
                + "<style>body{font:14px sans-serif;margin:2em}td,th{padding:2px 8px;text-align:right}"
                + ".GROWING{color:#b00;font-weight:bold}</style><h1>Sluice soak</h1><p>Verdict: <b>"
                + (flat() ? "flat" : "GROWING") + "</b></p><table><tr><th>process<th>measure<th>start<th>end<th>trend");
        for (Trend t : trends()) {
            html.append(String.format(Locale.ROOT, "<tr><td>%s<td>%s<td>%.1f<td>%.1f<td class=%s>%s", t.process(), t.measure(),
                    t.first(), t.last(), t.growing() ? "GROWING" : "flat", t.growing() ? "GROWING" : "flat"));
        }
        html.append("</table>");
        for (String measure : List.of(ProcessSample.RSS, ProcessSample.OLD_GEN, ProcessSample.FDS, ProcessSample.THREADS)) {
            html.append("<h2>").append(measure).append("</h2>").append(chart(measure));
        }
        Files.writeString(dir.resolve("report.html"), html);
    }

    private static final String[] COLOURS = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2",
            "#7f7f7f", "#bcbd22", "#17becf"};

    private String chart(String measure) {
        int width = 900;
        int height = 260;
        double maxT = samples.stream().mapToDouble(ProcessSample::seconds).max().orElse(1);
        double maxV = samples.stream().map(s -> s.values().get(measure)).filter(v -> v != null).mapToDouble(v -> v).max().orElse(1);
        StringBuilder svg = new StringBuilder(String.format(Locale.ROOT,
                "<svg width=%d height=%d style='border:1px solid #ccc'><text x=4 y=14>%.0f</text><text x=4 y=%d>0</text>"
                        + "<text x=%d y=%d text-anchor=end>%.0f s</text>", width + 160, height + 20, maxV, height, width, height + 16, maxT));
        int colour = 0;
        for (String process : processes()) {
            StringBuilder points = new StringBuilder();
            for (ProcessSample s : samples) {
                Double v = s.values().get(measure);
                if (s.process().equals(process) && v != null) {
                    points.append(String.format(Locale.ROOT, "%.1f,%.1f ", 40 + (width - 40) * s.seconds() / maxT,
                            height - (height - 20) * v / maxV));
                }
            }
            if (points.length() > 0) {
                String c = COLOURS[colour++ % COLOURS.length];
                svg.append("<polyline fill=none stroke='").append(c).append("' points='").append(points).append("'/>")
                        .append(String.format("<text x=%d y=%d fill='%s'>%s</text>", width + 10, 20 + 16 * colour, c, process));
            }
        }
        return svg.append("</svg>").toString();
    }

    private TreeSet<String> processes() {
        TreeSet<String> names = new TreeSet<>();
        samples.forEach(s -> names.add(s.process()));
        return names;
    }

    private List<Double> series(String process, String measure) {
        return samples.stream().filter(s -> s.process().equals(process)).map(s -> s.values().get(measure))
                .filter(v -> v != null).toList();
    }

    private static double mean(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).average().orElse(0);
    }
}
