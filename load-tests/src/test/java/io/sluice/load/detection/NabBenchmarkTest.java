package io.sluice.load.detection;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.sluice.processor.anomaly.DetectionRules;

/**
 * {@code ./sluice bench detection --nab} on the vendored development set ({@code bench/nab}), all of it: every series
 * through the processor topology with the built-in rules. The floors below are where the detectors stand today
 * (docs/benchmarks.md), so that a change that loses windows, precision or NAB score fails here; they hold the project's
 * target (0.85 of the windows, 0.55 precision), 83 windows being the first count at or above 0.85 of the 97.
 */
class NabBenchmarkTest {

    private static final Path DEVELOPMENT_SET = Path.of("..", "bench", "nab");

    @Test
    void theDevelopmentSetIsScoredThroughTheTopologyAtLeastAsWellAsToday(@TempDir Path dir) throws Exception {
        List<NabCorpus.Series> corpus = NabCorpus.load(DEVELOPMENT_SET);
        assertEquals(51, corpus.size());
        assertEquals(97, corpus.stream().mapToInt(s -> s.windows().size()).sum());

        NabBenchmark.Result result = NabBenchmark.run(corpus, DetectionRules.defaults());
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        NabReport.print(result, DEVELOPMENT_SET, new PrintStream(printed, true, StandardCharsets.UTF_8));
        String report = printed.toString(StandardCharsets.UTF_8);
        System.out.print(report);

        assertEquals(295_997, result.readings(), "every row of every series played");
        assertTrue(result.windowsFound() >= 83, "windows found: " + result.windowsFound());
        assertTrue(result.precision() >= 0.6, "alert precision: " + result.precision());
        assertTrue(result.nabScore() >= 70, "NAB standard score: " + result.nabScore());
        assertTrue(result.detectionMicrosPerReading() <= 5, "detection CPU per reading: " + result.detectionMicrosPerReading());
        assertTrue(result.stateBytesPerMetric() <= 690, "detector state per metric: " + result.stateBytesPerMetric());
        NabScore.SeriesScore flat = result.series().stream().filter(s -> s.name().equals("artificialNoAnomaly/art_flatline.csv"))
                .findFirst().orElseThrow().score();
        assertEquals(0, flat.alerts(), "a flat line is not a stuck sensor");
        assertTrue(report.contains("numenta (HTM)") && report.contains("Sluice (this run)"), report);
        assertTrue(report.contains("BY DETECTOR"), report);
        assertTrue(result.byDetector().stream().mapToInt(NabBenchmark.DetectorFigures::alerts).sum() >= result.alerts(),
                "every alerted reading is some detector's (a reading two detectors raise at counts once in the total)");
        assertTrue(result.byDetector().stream().allMatch(d -> d.windowsFound() <= result.windowsFound()), result.byDetector().toString());

        Path json = dir.resolve("nab.json");
        NabReport.writeJson(result, json);
        String written = Files.readString(json);
        assertTrue(written.contains("\"windowsFound\":" + result.windowsFound()) && written.contains("\"baselines\":[{")
                && written.contains("\"byDetector\":[{\"detector\":"), written);
    }

    @Test
    void aDirectoryThatIsNotNabSaysSoInOneLine(@TempDir Path dir) {
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> NabCorpus.load(dir));
        assertTrue(e.getMessage().endsWith("has no combined_windows.json (nor labels/combined_windows.json)"), e.getMessage());
    }
}
