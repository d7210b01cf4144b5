package io.sluice.processor.rollup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.sluice.processor.ProcessorConfig;
import io.sluice.processor.TopologyHarness;
import io.sluice.processor.anomaly.DetectionRules;
import io.sluice.schemas.avro.TelemetryRollup;

class WindowRollupsTest {

    private static final long T0 = TopologyHarness.START.toEpochMilli();
    private static final long MINUTE = 60_000;
    private static final long GRACE = 10_000;

    private final TopologyHarness harness = new TopologyHarness(Map.of(ProcessorConfig.WINDOW_GRACE_MS, GRACE,
            ProcessorConfig.IDLE_MS, 30_000L), DetectionRules.defaults());

    @AfterEach
    void close() {
        harness.close();
    }

    @Test
    void aMinuteIsEmittedOnceWithEveryStatisticWhenTheDevicePassesItsEndPlusGrace() {
        harness.reading("a", T0 + 1_000, "t", 4.0);
        harness.reading("a", T0 + 20_000, "t", 1.0);
        harness.reading("a", T0 + 59_000, "t", 7.0);
        harness.reading("a", T0 + 65_000, "t", 2.0); // next window, but inside the grace: nothing closes yet
        assertTrue(harness.rollups1m.isEmpty());
        harness.reading("a", T0 + MINUTE + GRACE, "t", 3.0);
        List<TelemetryRollup> out = harness.rollups1m.readValuesToList();
        assertEquals(1, out.size());
        TelemetryRollup minute = out.get(0);
        assertEquals("a", minute.getDeviceId());
        assertEquals("t", minute.getMetric());
        assertEquals(T0, minute.getWindowStartMs());
        assertEquals(MINUTE, minute.getWindowMs());
        assertEquals(3, minute.getCount());
        assertEquals(12.0, minute.getSum());
        assertEquals(16 + 1 + 49, minute.getSumSquares());
        assertEquals(1.0, minute.getMin());
        assertEquals(7.0, minute.getMax());
        assertEquals(4.0, minute.getFirst());
        assertEquals(T0 + 1_000, minute.getFirstTsMs());
        assertEquals(7.0, minute.getLast());
        assertEquals(T0 + 59_000, minute.getLastTsMs());
    }

    @Test
    void aLateReadingWithinGraceCountsAndOneAfterGraceDoesNot() {
        harness.reading("a", T0 + 10_000, "t", 1.0);
        harness.reading("a", T0 + 65_000, "t", 1.0);
        harness.reading("a", T0 + 30_000, "t", 1.0); // out of order, but its window is still within the grace: counted
        harness.reading("a", T0 + 2 * MINUTE + GRACE, "t", 1.0); // closes minutes 0 and 1
        harness.reading("a", T0 + 50_000, "t", 1.0); // after the close: late, not counted
        List<TelemetryRollup> out = harness.rollups1m.readValuesToList();
        assertEquals(2, out.size());
        assertEquals(2, out.get(0).getCount());
        assertEquals(T0 + MINUTE, out.get(1).getWindowStartMs());
        assertEquals(1, out.get(1).getCount());
        assertTrue(harness.rollups1m.isEmpty());
        double late = (double) harness.driver.metrics().entrySet().stream()
                .filter(e -> e.getKey().name().equals("late-readings-total") && e.getKey().tags().containsValue("rollups-60s"))
                .findFirst().orElseThrow().getValue().metricValue();
        assertEquals(1.0, late);
    }

    @Test
    void devicesAndMetricsHaveWindowsOfTheirOwn() {
        harness.raw.pipeInput("a", TopologyHarness.event("a", T0 + 1_000, null, Map.of("t", 1.0, "h", 50.0)), T0);
        harness.reading("b", T0 + 2_000, "t", 9.0);
        harness.reading("a", T0 + MINUTE + GRACE, "t", 1.0);
        List<TelemetryRollup> out = harness.rollups1m.readValuesToList();
        assertEquals(2, out.size(), "device a's two metrics close; device b's minute waits for b");
        assertEquals(Map.of("h", 50.0, "t", 1.0), Map.of(out.get(0).getMetric(), out.get(0).getSum(),
                out.get(1).getMetric(), out.get(1).getSum()));
    }

    @Test
    void aQuietDevicesLastWindowClosesOnceThePartitionMovesOnAndItStaysQuiet() {
        harness.reading("quiet", T0 + 1_000, "t", 5.0);
        harness.reading("busy", T0 + 1_000, "t", 1.0);
        for (long ts = T0 + 10_000; ts <= T0 + MINUTE + GRACE + 30_000; ts += 10_000) {
            harness.reading("busy", ts, "t", 1.0);
        }
        harness.rollups1m.readValuesToList(); // busy's own minute
        harness.advanceWallClock(Duration.ofSeconds(2));
        List<TelemetryRollup> out = harness.rollups1m.readValuesToList();
        assertEquals(1, out.size());
        assertEquals("quiet", out.get(0).getDeviceId());
        assertEquals(5.0, out.get(0).getSum());
    }

    @Test
    void anHourRollsUpTheSameReadings() {
        for (int minute = 0; minute < 60; minute++) {
            harness.reading("a", T0 + minute * MINUTE, "t", minute);
        }
        harness.reading("a", T0 + 60 * MINUTE + GRACE, "t", 0);
        List<TelemetryRollup> hours = harness.rollups1h.readValuesToList();
        assertEquals(1, hours.size());
        assertEquals(60, hours.get(0).getCount());
        assertEquals(59 * 60 / 2.0, hours.get(0).getSum());
        assertEquals(3_600_000, hours.get(0).getWindowMs());
        assertEquals(60, harness.rollups1m.readValuesToList().size());
    }

    @Test
    void aRetransmittedReadingIsCountedOnce() {
        harness.reading("a", T0 + 1_000, "t", 2.0);
        harness.reading("a", T0 + 1_000, "t", 2.0);
        harness.reading("a", T0 + MINUTE + GRACE, "t", 2.0);
        assertEquals(1, harness.rollups1m.readValuesToList().get(0).getCount());
    }
}
