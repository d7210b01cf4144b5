package io.sluice.processor.device;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.sluice.processor.ProcessorConfig;
import io.sluice.processor.TopologyHarness;
import io.sluice.processor.anomaly.DetectionRules;
import io.sluice.schemas.avro.DeadLetter;
import io.sluice.schemas.avro.TelemetryEvent;
import io.sluice.schemas.avro.TelemetryRollup;

/** Dedupe and the bounds of a device's state, through the real topology. */
class DeviceTelemetryTest {

    private static final long T0 = TopologyHarness.START.toEpochMilli();
    private static final long MINUTE = 60_000;
    private static final long GRACE = 10_000;

    private TopologyHarness harness = harness(Map.of());

    private static TopologyHarness harness(Map<String, Object> settings) {
        Map<String, Object> all = new HashMap<>(settings);
        all.put(ProcessorConfig.WINDOW_GRACE_MS, GRACE);
        return new TopologyHarness(all, DetectionRules.defaults());
    }

    @AfterEach
    void close() {
        harness.close();
    }

    private void send(String device, long ts, Long seq, Map<String, Double> metrics) {
        harness.raw.pipeInput(device, TopologyHarness.event(device, ts, seq, metrics), ts);
    }

    /** Closes every window of the device's first minute, and returns the counts per metric of the minute rollups emitted. */
    private Map<String, Long> firstMinuteCounts(String device) {
        harness.reading(device, T0 + MINUTE + GRACE, "close", 0);
        return harness.rollups1m.readValuesToList().stream().filter(r -> r.getDeviceId().equals(device))
                .collect(Collectors.toMap(TelemetryRollup::getMetric, TelemetryRollup::getCount));
    }

    @Test
    void aRetransmittedEventCountsOnce() {
        send("a", T0 + 1_000, 7L, Map.of("t", 1.0, "h", 2.0));
        send("a", T0 + 1_000, 7L, Map.of("t", 1.0, "h", 2.0));
        assertEquals(Map.of("t", 1L, "h", 1L), firstMinuteCounts("a"));
        assertEquals(2.0, harness.total("duplicate-readings", "dedupe"));
    }

    @Test
    void readingsWithTheSameTimeButOtherMetricsOrSequenceAreKept() {
        send("a", T0 + 1_000, null, Map.of("t", 1.0));
        send("a", T0 + 1_000, null, Map.of("h", 2.0));
        send("a", T0 + 1_000, 1L, Map.of("t", 1.0));
        send("b", T0 + 1_000, null, Map.of("t", 1.0));
        assertEquals(Map.of("t", 2L, "h", 1L), firstMinuteCounts("a"));
        assertEquals(Map.of("t", 1L), firstMinuteCounts("b"));
    }

    @Test
    void anEventWithSomeSeenReadingsAddsOnlyTheNewOnes() {
        send("a", T0 + 1_000, null, Map.of("t", 1.0));
        send("a", T0 + 1_000, null, Map.of("t", 1.0, "h", 2.0));
        assertEquals(Map.of("t", 1L, "h", 1L), firstMinuteCounts("a"));
        assertEquals(1.0, harness.total("duplicate-readings", "dedupe"));
    }

    @Test
    void aReadingOlderThanWhatTheDeviceRemembersIsLateNotCountedTwice() {
        harness.close();
        harness = harness(Map.of(ProcessorConfig.DEDUPE_MAX_EVENTS, 4));
        for (long s = 1; s <= 10; s++) {
            send("a", T0 + s * 1_000, s, Map.of("t", 1.0));
        }
        send("a", T0 + 2_000, 2L, Map.of("t", 1.0)); // forgotten for room: cannot be checked, so late
        send("a", T0 + 9_000, 9L, Map.of("t", 1.0)); // still remembered: a duplicate
        assertEquals(Map.of("t", 10L), firstMinuteCounts("a"));
        assertEquals(1.0, harness.total("late-readings", "rollups-60s"));
        assertEquals(1.0, harness.total("duplicate-readings", "dedupe"));
    }

    @Test
    void aDeviceResendingOneTimestampWithNewMetricNamesStaysBoundedAndNothingElseStalls() {
        harness.close();
        harness = harness(Map.of(ProcessorConfig.DEVICE_MAX_METRICS, 16));
        for (int i = 0; i < 5_000; i++) {
            Map<String, Double> metrics = new HashMap<>();
            for (int j = 0; j < 4; j++) {
                metrics.put("m" + i + "_" + j, (double) j);
            }
            send("hostile", T0 + 1_000, 1L, metrics);
            send("honest", T0 + i * 100L, (long) i, Map.of("t", 1.0));
        }
        KeyValueStore<String, DeviceState> store = harness.driver.getKeyValueStore(DeviceTelemetry.STORE);
        int bytes = store.get("hostile").encode().length;
        assertTrue(bytes < 4_096, "the hostile device's state holds " + bytes + " bytes");
        assertEquals(16, store.get("hostile").slots.size());
        List<DeadLetter> refused = harness.deadLetters.readValuesToList();
        assertEquals(4_996, refused.size(), "every event with a metric over the limit, the first four being within it");
        assertTrue(refused.stream().allMatch(letter -> letter.getReason().equals(DeviceTelemetry.METRIC_LIMIT)
                && letter.getDeviceId().equals("hostile") && letter.getDetail().contains("device.max.metrics")));
        assertEquals(5_000 * 4 - 16, harness.total("refused-readings", "device-state"));
        // The honest device's minutes on the same partition came through, each exact.
        harness.reading("honest", T0 + 10 * MINUTE, "t", 1.0);
        List<TelemetryRollup> honest = harness.rollups1m.readValuesToList().stream()
                .filter(r -> r.getDeviceId().equals("honest")).toList();
        assertEquals(9, honest.size());
        assertTrue(honest.stream().limit(8).allMatch(r -> r.getCount() == 600), honest.toString());
    }

    @Test
    void devicesOverTheTaskLimitAreRefusedAndCounted() {
        harness.close();
        harness = harness(Map.of(ProcessorConfig.DEVICES_MAX_PER_TASK, 2));
        send("a", T0, null, Map.of("t", 1.0));
        send("b", T0, null, Map.of("t", 1.0));
        send("c", T0, null, Map.of("t", 1.0, "h", 1.0));
        send("a", T0 + 1_000, null, Map.of("t", 1.0));
        DeadLetter letter = harness.deadLetters.readValue();
        assertEquals("c", letter.getDeviceId());
        assertEquals(DeviceTelemetry.DEVICE_LIMIT, letter.getReason());
        assertEquals("stream-processor", letter.getSource());
        assertEquals(TelemetryEvent.class, io.sluice.schemas.kafka.Topics.TELEMETRY_RAW.decode(letter.getPayload().array()).getClass());
        assertTrue(harness.deadLetters.isEmpty());
        assertEquals(2.0, harness.total("refused-readings", "device-state"));
    }

    @Test
    void aDeviceQuietForTheStateLifetimeIsForgottenAfterItsWindowsClose() {
        harness.close();
        harness = harness(Map.of(ProcessorConfig.DEVICE_STATE_TTL_MS, 2 * 3_600_000L));
        harness.reading("gone", T0 + 1_000, "t", 3.0);
        KeyValueStore<String, DeviceState> store = harness.driver.getKeyValueStore(DeviceTelemetry.STORE);
        harness.reading("other", T0 + 3 * 3_600_000L, "t", 1.0); // the partition's time moves on with another device
        harness.advanceWallClock(Duration.ofSeconds(1));
        assertNull(store.get("gone"));
        assertEquals(1.0, harness.total("expired-devices", "device-state"));
        List<TelemetryRollup> closed = harness.rollups1m.readValuesToList();
        assertEquals(1, closed.size(), "its last minute was emitted before it was forgotten");
        assertEquals("gone", closed.get(0).getDeviceId());
        assertEquals(1, harness.rollups1h.readValuesToList().stream().filter(r -> r.getDeviceId().equals("gone")).count());
    }

    @Test
    void aMetricIdleForTheStateLifetimeGivesUpItsSlotToANewOne() {
        harness.close();
        harness = harness(Map.of(ProcessorConfig.DEVICE_MAX_METRICS, 1, ProcessorConfig.DEVICE_STATE_TTL_MS, 2 * 3_600_000L));
        harness.reading("a", T0 + 1_000, "old", 1.0);
        harness.reading("a", T0 + 2_000, "other", 1.0); // over the limit while "old" is fresh
        harness.reading("a", T0 + 3 * 3_600_000L, "new", 2.0); // "old" idle for three hours: its slot goes to "new"
        harness.reading("a", T0 + 3 * 3_600_000L + MINUTE + GRACE, "new", 2.0);
        List<DeadLetter> refused = harness.deadLetters.readValuesToList();
        assertEquals(1, refused.size());
        assertTrue(refused.get(0).getDetail().contains("other"), refused.get(0).getDetail());
        assertEquals(List.of("old", "new"), harness.rollups1m.readValuesToList().stream().map(TelemetryRollup::getMetric).toList());
    }
}
