package io.sluice.processor.anomaly;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DetectionRulesTest {

    @Test
    void theBuiltInDefaultsLeaveThresholdsRatesAndTheZScoreOffAndTheRestOn() {
        Rules.MetricRules rules = DetectionRules.defaults().forMetric("any", "temperature");
        assertFalse(rules.threshold().enabled());
        assertFalse(rules.rateOfChange().enabled());
        assertFalse(rules.zscore().enabled(), "the baselines judge spikes without a per-metric scale");
        assertTrue(rules.stuck().enabled());
        assertEquals(3.0, rules.stuck().normalRuns());
        assertTrue(rules.spike().enabled() && rules.levelShift().enabled() && rules.varianceChange().enabled()
                && rules.seasonal().enabled());
        assertEquals(250, rules.baseline().warmup());
        assertTrue(DetectionRules.defaults().silenceFor("any").enabled());
        assertTrue(DetectionRules.defaults().disconnectSpike().enabled());
    }

    @Test
    void laterLayersOverrideFieldByField() throws Exception {
        DetectionRules rules = DetectionRules.parse("""
                defaults: {zscore: {threshold: 4}}
                metrics: {temperature: {zscore: {warmup: 50}, threshold: {min: -40, max: 85}}}
                device_types:
                  freezer: {match: "freezer-*", threshold: {max: 10}, silence: {intervals: 3}}
                devices:
                  freezer-9: {metrics: {temperature: {zscore: {enabled: false}}}}
                """);
        Rules.MetricRules freezer9 = rules.forMetric("freezer-9", "temperature");
        assertEquals(-40, freezer9.threshold().min());
        assertEquals(10, freezer9.threshold().max(), "the type's block applies to all its metrics");
        assertFalse(freezer9.zscore().enabled());
        Rules.MetricRules other = rules.forMetric("sensor-1", "temperature");
        assertEquals(4, other.zscore().threshold());
        assertEquals(50, other.zscore().warmup());
        assertEquals(85, other.threshold().max());
        assertEquals(3, rules.silenceFor("freezer-1").intervals());
        assertEquals(6, rules.silenceFor("sensor-1").intervals());
        assertEquals("freezer", rules.deviceTypeOf("freezer-1"));
    }

    @Test
    void mistakesAreOneLineNamingTheKey(@TempDir Path dir) throws Exception {
        assertEquals("unknown key 'metrics.temperature.zscore.threshhold' (known here: [alpha, debounce, enabled, min_std, severity,"
                        + " threshold, warmup])",
                assertThrows(RulesException.class, () -> DetectionRules.parse("metrics: {temperature: {zscore: {threshhold: 3}}}"))
                        .getMessage());
        assertEquals("devices.x.threshold: threshold needs min <= max, got 5.0 > 1.0",
                assertThrows(RulesException.class, () -> DetectionRules.parse("devices: {x: {threshold: {min: 5, max: 1}}}"))
                        .getMessage());
        assertEquals("defaults.zscore.debounce: debounce needs 1 <= m <= n <= 32, got m=4 n=3",
                assertThrows(RulesException.class, () -> DetectionRules.parse("defaults: {zscore: {debounce: {m: 4}}}"))
                        .getMessage());
        assertEquals("device_types.pump.match must be a glob or a list of globs on the device id",
                assertThrows(RulesException.class, () -> DetectionRules.parse("device_types: {pump: {threshold: {max: 1}}}"))
                        .getMessage());
        assertTrue(assertThrows(RulesException.class, () -> DetectionRules.parse("defaults: {stuck: {severity: loud}}"))
                .getMessage().contains("severity must be info, warning or critical"));
        Path file = dir.resolve("rules.yaml");
        Files.writeString(file, "metrics: [oops\n");
        String message = assertThrows(RulesException.class, () -> DetectionRules.load(file)).getMessage();
        assertTrue(message.startsWith("rules file " + file + ": not valid YAML"), message);
        assertFalse(message.contains("\n"), message);
    }

    @Test
    void theReadmeExampleLoads() throws Exception {
        Path example = Path.of("..", "stack", "rules.example.yaml");
        DetectionRules rules = DetectionRules.load(example);
        assertTrue(rules.forMetric("pump-1", "pressure").threshold().enabled());
    }
}
