package io.sluice.load.detection;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/** Prints {@link NabBenchmark}'s figures (per series, in total, beside the published detectors) and writes them as JSON. */
public final class NabReport {

    private NabReport() {
    }

    public static void print(NabBenchmark.Result result, Path corpus, PrintStream out) {
        out.printf(Locale.ROOT, "Detection on real labelled series: %d series, %,d readings (%s), with the rules given; played"
                + " through the processor topology in %.1f s%n%n", result.series().size(), result.readings(), corpus,
                result.topologySeconds());
        out.printf(Locale.ROOT, "%-56s %7s %5s %6s %6s %9s %8s  %s%n", "SERIES", "WINDOWS", "FOUND", "ALERTS", "INSIDE", "PRECISION",
                "NAB RAW", "ALERTS BY DETECTOR");
        for (NabBenchmark.SeriesResult s : result.series()) {
            NabScore.SeriesScore score = s.score();
            out.printf(Locale.ROOT, "%-56s %7d %5d %6d %6d %9s %8.2f  %s%n", s.name(), score.windows(), score.windowsFound(),
                    score.alerts(), score.alertsInWindows(), score.alerts() == 0 ? "-" : String.format(Locale.ROOT, "%.3f",
                            score.precision()), score.rawScore(), detectors(s.byDetector(), s.silences()));
        }
        out.printf(Locale.ROOT, "%-56s %7d %5d %6d %6d %9.3f  NAB standard score %.1f%n%n", "TOTAL", result.windows(),
                result.windowsFound(), result.alerts(), result.alertsInWindows(), result.precision(), result.nabScore());
        out.printf(Locale.ROOT, "%-20s %8s %8s %10s %14s%n", "BY DETECTOR", "ALERTS", "INSIDE", "PRECISION", "WINDOWS FOUND");
        for (NabBenchmark.DetectorFigures d : result.byDetector()) {
            out.printf(Locale.ROOT, "%-20s %8d %8d %10.3f %14d%n", d.detector(), d.alerts(), d.alertsInWindows(), d.precision(),
                    d.windowsFound());
        }
        out.println("(a window found, or a reading raised, by several detectors counts for each)");
        out.println();
        out.println("Beside the published detectors on the same files (their own result files at NAB's standard thresholds,");
        out.println("scored the same way; see docs/benchmarks.md):");
        out.printf(Locale.ROOT, "%-20s %16s %10s %10s%n", "DETECTOR", "WINDOWS FOUND", "PRECISION", "NAB SCORE");
        for (NabBenchmark.Baseline b : NabBenchmark.baselines()) {
            out.printf(Locale.ROOT, "%-20s %8d/%d (%.2f) %10.3f %10.1f%n", b.detector(), b.windowsFound(), b.windows(),
                    (double) b.windowsFound() / b.windows(), b.precision(), b.nabScore());
        }
        out.printf(Locale.ROOT, "%-20s %8d/%d (%.2f) %10.3f %10.1f%n%n", "Sluice (this run)", result.windowsFound(), result.windows(),
                result.windowsFoundShare(), result.precision(), result.nabScore());
        out.printf(Locale.ROOT, "CPU per reading: %.2f µs for the detectors alone (target <= 5), %.1f µs through the whole"
                + " topology (test driver, serdes, state store)%n", result.detectionMicrosPerReading(), result.topologyMicrosPerReading());
        out.printf(Locale.ROOT, "Detector state per device and metric: at most %d bytes encoded%n", result.stateBytesPerMetric());
        out.printf("Target (windows found >= 0.85 and alert precision >= 0.55): %s%n", result.targetMet() ? "met" : "NOT met");
    }

    private static String detectors(Map<String, Integer> byDetector, int silences) {
        String alerts = byDetector.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(" "));
        return silences == 0 ? alerts : alerts + (alerts.isEmpty() ? "" : " ") + "(SILENCE=" + silences + ", not scored)";
    }

    public static void writeJson(NabBenchmark.Result result, Path json) throws IOException {
        StringBuilder out = new StringBuilder(String.format(Locale.ROOT,
                "{\"series\":%d,\"readings\":%d,\"windows\":%d,\"windowsFound\":%d,\"windowsFoundShare\":%.4f,\"alerts\":%d,"
                        + "\"alertsInWindows\":%d,\"precision\":%.4f,\"nabStandardScore\":%.2f,\"detectionMicrosPerReading\":%.3f,"
                        + "\"topologyMicrosPerReading\":%.2f,\"stateBytesPerMetric\":%d,\"targetMet\":%b,\"perSeries\":[",
                result.series().size(), result.readings(), result.windows(), result.windowsFound(), result.windowsFoundShare(),
                result.alerts(), result.alertsInWindows(), result.precision(), result.nabScore(), result.detectionMicrosPerReading(),
                result.topologyMicrosPerReading(), result.stateBytesPerMetric(), result.targetMet()));
        for (int i = 0; i < result.series().size(); i++) {
            NabBenchmark.SeriesResult s = result.series().get(i);
            out.append(i == 0 ? "" : ",").append(String.format(Locale.ROOT,
                    "{\"series\":\"%s\",\"windows\":%d,\"windowsFound\":%d,\"alerts\":%d,\"alertsInWindows\":%d,\"rawScore\":%.4f,"
                            + "\"silences\":%d,\"byDetector\":{%s}}", s.name(), s.score().windows(), s.score().windowsFound(),
                    s.score().alerts(), s.score().alertsInWindows(), s.score().rawScore(), s.silences(),
                    s.byDetector().entrySet().stream().map(e -> "\"" + e.getKey() + "\":" + e.getValue()).collect(Collectors.joining(","))));
        }
        out.append("],\"byDetector\":[");
        List<NabBenchmark.DetectorFigures> figures = result.byDetector();
        for (int i = 0; i < figures.size(); i++) {
            NabBenchmark.DetectorFigures d = figures.get(i);
            out.append(i == 0 ? "" : ",").append(String.format(Locale.ROOT,
                    "{\"detector\":\"%s\",\"alerts\":%d,\"alertsInWindows\":%d,\"precision\":%.4f,\"windowsFound\":%d}",
                    d.detector(), d.alerts(), d.alertsInWindows(), d.precision(), d.windowsFound()));
        }
        out.append("],\"baselines\":[");
        var baselines = NabBenchmark.baselines();
        for (int i = 0; i < baselines.size(); i++) {
            NabBenchmark.Baseline b = baselines.get(i);
            out.append(i == 0 ? "" : ",").append(String.format(Locale.ROOT,
                    "{\"detector\":\"%s\",\"windowsFound\":%d,\"windows\":%d,\"precision\":%.3f,\"nabStandardScore\":%.1f}",
                    b.detector(), b.windowsFound(), b.windows(), b.precision(), b.nabScore()));
        }
        out.append("]}\n");
        Files.createDirectories(json.toAbsolutePath().getParent());
        Files.writeString(json, out);
    }
}
