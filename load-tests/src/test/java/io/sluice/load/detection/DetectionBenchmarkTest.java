package io.sluice.load.detection;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./sluice bench detection} as it runs by default (150 devices, four hours of simulated time, seed 1, through the
 * processor topology): every detector keeps 0.95 precision and recall on the simulated fleet, and the detectors' CPU per
 * reading is measured and printed.
 */
class DetectionBenchmarkTest {

    @Test
    void everyDetectorKeepsItsPrecisionAndRecallOnTheSimulatedFleet(@TempDir Path dir) throws Exception {
        DetectionBenchmark.Result result = DetectionBenchmark.run(150, Duration.ofHours(4), 1);
        Path json = dir.resolve("detection.json");
        DetectionBenchmark.report(result, 150, Duration.ofHours(4), json);

        assertEquals(53, result.truth().size(), "anomalies of every kind injected");
        for (DetectionBenchmark.Score score : result.scores()) {
            assertTrue(score.precision() >= 0.95 && score.recall() >= 0.95, score.toString());
        }
        assertTrue(result.detectionMicrosPerReading() > 0 && result.detectionMicrosPerReading() <= 5,
                "detection CPU per reading: " + result.detectionMicrosPerReading());
        String written = Files.readString(json);
        assertTrue(written.contains("\"targetMet\":true") && written.contains("\"detectionMicrosPerReading\":"), written);
    }
}
