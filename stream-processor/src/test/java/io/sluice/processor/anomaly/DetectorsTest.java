package io.sluice.processor.anomaly;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.sluice.processor.TopologyHarness;
import io.sluice.schemas.avro.Anomaly;

/** Each detector through the real topology: what raises it, what does not, and that it raises once per episode. */
class DetectorsTest {

    private static final long T0 = TopologyHarness.START.toEpochMilli();
    private static final long EVERY = 10_000;

    private TopologyHarness harness;

    @AfterEach
    void close() {
        harness.close();
    }

    private void start(String rulesYaml) throws RulesException {
        harness = new TopologyHarness(Map.of(), DetectionRules.parse(rulesYaml));
    }

    /** Readings of a noisy signal around {@code level}, one every 10 s from {@code from}; returns the next ts. */
    private long normal(String device, String metric, long from, int readings, double level, Random random) {
        long ts = from;
        for (int i = 0; i < readings; i++, ts += EVERY) {
            harness.reading(device, ts, metric, Math.round((level + random.nextGaussian()) * 100) / 100.0);
        }
        return ts;
    }

    private static List<Anomaly> of(List<Anomaly> anomalies, Detector detector) {
        return anomalies.stream().filter(a -> a.getDetector().equals(detector.name())).toList();
    }

    @Test
    void thresholdRaisesOnceForARunOutsideTheRangeAndAgainAfterItCameBack() throws Exception {
        start("metrics: {temperature: {threshold: {min: -10, max: 50}}}");
        harness.reading("a", T0, "temperature", 20);
        harness.reading("a", T0 + EVERY, "temperature", 55);
        harness.reading("a", T0 + 2 * EVERY, "temperature", 60);
        harness.reading("a", T0 + 3 * EVERY, "temperature", 20);
        harness.reading("a", T0 + 4 * EVERY, "temperature", -12);
        harness.reading("a", T0 + 5 * EVERY, "humidity", 500); // another metric, no threshold
        List<Anomaly> raised = of(harness.anomalies(), Detector.THRESHOLD);
        assertEquals(2, raised.size());
        Anomaly high = raised.get(0);
        assertEquals("a", high.getDeviceId());
        assertEquals("temperature", high.getMetric());
        assertEquals(T0 + EVERY, high.getTsMs());
        assertEquals(55.0, high.getValue());
        assertEquals(50.0, high.getExpected());
        assertEquals(5.0, high.getScore());
        assertEquals("CRITICAL", high.getSeverity());
        assertEquals(-10.0, raised.get(1).getExpected());
    }

    @Test
    void mOfNDebounceIgnoresASingleOddReading() throws Exception {
        start("metrics: {p: {threshold: {max: 10, debounce: {m: 2, n: 3}}}}");
        harness.reading("a", T0, "p", 11);
        harness.reading("a", T0 + EVERY, "p", 5);
        harness.reading("a", T0 + 2 * EVERY, "p", 5);
        harness.reading("a", T0 + 3 * EVERY, "p", 5);
        assertTrue(harness.anomalies().isEmpty(), "one hit in three is not enough");
        harness.reading("a", T0 + 4 * EVERY, "p", 12);
        harness.reading("a", T0 + 5 * EVERY, "p", 5);
        harness.reading("a", T0 + 6 * EVERY, "p", 13);
        List<Anomaly> raised = harness.anomalies();
        assertEquals(1, raised.size());
        assertEquals(T0 + 6 * EVERY, raised.get(0).getTsMs());
    }

    @Test
    void zScoreWaitsForItsWarmUpThenCatchesASpikeAndNotTheNoise() throws Exception {
        start("defaults: {zscore: {enabled: true, threshold: 6, warmup: 30, debounce: {m: 1, n: 1}}}");
        Random random = new Random(7);
        harness.reading("a", T0, "v", 1000); // a wild first reading: inside the warm-up, never judged
        long ts = normal("a", "v", T0 + EVERY, 500, 20, random);
        assertTrue(of(harness.anomalies(), Detector.ZSCORE).isEmpty(), "500 noisy readings raise nothing");
        harness.reading("a", ts, "v", 20 + 15);
        List<Anomaly> raised = of(harness.anomalies(), Detector.ZSCORE);
        assertEquals(1, raised.size());
        assertTrue(raised.get(0).getScore() > 6, "score " + raised.get(0).getScore());
        assertEquals(20.0, raised.get(0).getExpected(), 1.0);
        normal("a", "v", ts + EVERY, 50, 20, random);
        assertTrue(of(harness.anomalies(), Detector.ZSCORE).isEmpty(), "the spike did not poison the baseline");
    }

    @Test
    void zScoreLearnsALastingNewLevel() throws Exception {
        start("defaults: {zscore: {enabled: true, threshold: 6, warmup: 20, debounce: {m: 1, n: 1}}}");
        Random random = new Random(3);
        long ts = normal("a", "v", T0, 100, 20, random);
        ts = normal("a", "v", ts, 200, 60, random);
        assertEquals(1, of(harness.anomalies(), Detector.ZSCORE).size(), "the step raises once, then is the new normal");
    }

    @Test
    void rateOfChangeCatchesAJumpButNotTheSameChangeSpreadOut() throws Exception {
        start("metrics: {temperature: {rate_of_change: {max_per_second: 0.5}}}");
        harness.reading("a", T0, "temperature", 20);
        harness.reading("a", T0 + 60_000, "temperature", 40); // 20 in a minute: 0.33/s
        harness.reading("a", T0 + 61_000, "temperature", 30); // -10 in a second
        List<Anomaly> raised = of(harness.anomalies(), Detector.RATE_OF_CHANGE);
        assertEquals(1, raised.size());
        assertEquals(T0 + 61_000, raised.get(0).getTsMs());
        assertEquals(20.0, raised.get(0).getScore(), 1e-9);
    }

    @Test
    void stuckRaisesOnceAfterNIdenticalReadings() throws Exception {
        start("defaults: {stuck: {readings: 5, normal_runs: 0}}");
        for (int i = 0; i < 4; i++) {
            harness.reading("a", T0 + i * EVERY, "v", 3.5);
        }
        assertTrue(of(harness.anomalies(), Detector.STUCK).isEmpty());
        for (int i = 4; i < 12; i++) {
            harness.reading("a", T0 + i * EVERY, "v", 3.5);
        }
        List<Anomaly> raised = of(harness.anomalies(), Detector.STUCK);
        assertEquals(1, raised.size());
        assertEquals(T0 + 4 * EVERY, raised.get(0).getTsMs());
        assertEquals(5.0, raised.get(0).getScore());
        harness.reading("a", T0 + 12 * EVERY, "v", 3.6);
        for (int i = 13; i < 18; i++) {
            harness.reading("a", T0 + i * EVERY, "v", 3.6);
        }
        assertEquals(1, of(harness.anomalies(), Detector.STUCK).size(), "a new flat run is a new episode");
    }

    @Test
    void silenceIsJudgedAgainstTheDevicesOwnIntervalInThePartitionsTime() throws Exception {
        start("defaults: {silence: {intervals: 6, min_ms: 1000, warmup: 5}}");
        for (int i = 0; i < 20; i++) {
            harness.reading("chatty", T0 + i * EVERY, "v", i);
            harness.reading("talker", T0 + i * EVERY, "v", i);
        }
        // talker falls silent; chatty keeps the partition's time moving.
        long ts = T0 + 20 * EVERY;
        for (int i = 0; i < 5; i++, ts += EVERY) {
            harness.reading("chatty", ts, "v", i);
        }
        harness.advanceWallClock(Duration.ofSeconds(2));
        assertTrue(of(harness.anomalies(), Detector.SILENCE).isEmpty(), "50 s of silence is under 6 intervals");
        for (int i = 0; i < 3; i++, ts += EVERY) {
            harness.reading("chatty", ts, "v", i);
        }
        harness.advanceWallClock(Duration.ofSeconds(2));
        List<Anomaly> raised = of(harness.anomalies(), Detector.SILENCE);
        assertEquals(1, raised.size());
        assertEquals("talker", raised.get(0).getDeviceId());
        assertEquals(io.sluice.processor.anomaly.DeviceSilence.METRIC, raised.get(0).getMetric());
        assertEquals(T0 + 19 * EVERY, raised.get(0).getTsMs());
        assertEquals(10.0, raised.get(0).getExpected(), 0.01);
        harness.advanceWallClock(Duration.ofSeconds(2));
        assertTrue(harness.anomalies().isEmpty(), "raised once per silence");
        harness.reading("talker", ts, "v", 1);
        harness.advanceWallClock(Duration.ofSeconds(2));
        assertTrue(harness.anomalies().isEmpty(), "it spoke again");
    }

    @Test
    void overridesApplyPerMetricPerDeviceTypeAndPerDevice() throws Exception {
        start("""
                metrics: {pressure: {threshold: {max: 10}}}
                device_types:
                  pump: {match: ["pump-*"], metrics: {pressure: {threshold: {max: 20}}}}
                devices:
                  pump-7: {metrics: {pressure: {threshold: {max: 30, severity: info}}}}
                """);
        harness.reading("sensor-1", T0, "pressure", 15);
        harness.reading("pump-1", T0, "pressure", 15);
        harness.reading("pump-1", T0 + EVERY, "pressure", 25);
        harness.reading("pump-7", T0, "pressure", 25);
        harness.reading("pump-7", T0 + EVERY, "pressure", 35);
        List<Anomaly> raised = of(harness.anomalies(), Detector.THRESHOLD);
        assertEquals(List.of("sensor-1:10.0", "pump-1:20.0", "pump-7:30.0"),
                raised.stream().map(a -> a.getDeviceId() + ":" + a.getExpected()).toList());
        assertEquals("INFO", raised.get(2).getSeverity());
    }
}
