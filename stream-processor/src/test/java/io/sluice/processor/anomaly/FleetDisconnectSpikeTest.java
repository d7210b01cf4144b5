package io.sluice.processor.anomaly;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.sluice.processor.TopologyHarness;
import io.sluice.schemas.avro.Anomaly;

class FleetDisconnectSpikeTest {

    private static final long T0 = TopologyHarness.START.toEpochMilli();
    private static final long MINUTE = 60_000;

    private final TopologyHarness harness;

    FleetDisconnectSpikeTest() throws RulesException {
        harness = new TopologyHarness(Map.of(), DetectionRules.parse(
                "fleet: {disconnect_spike: {bucket_ms: 60000, std_devs: 5, min_disconnects: 10, warmup_buckets: 5}}"));
    }

    @AfterEach
    void close() {
        harness.close();
    }

    private void disconnects(long minute, int count, String reason) {
        for (int i = 0; i < count; i++) {
            String device = "d-" + minute + "-" + i;
            harness.sessions.pipeInput(device, TopologyHarness.disconnect(device, T0 + minute * MINUTE + i * 100, reason));
        }
    }

    @Test
    void aStormAgainstTheFleetsOwnBaselineRaisesOnceAndNormalLeavesOrShutdownsDoNot() {
        for (long minute = 0; minute < 10; minute++) {
            disconnects(minute, 2 + (int) (minute % 3), "CONNECTION_LOST");
        }
        disconnects(10, 200, "NORMAL");
        disconnects(11, 200, "SERVER_SHUTDOWN");
        assertTrue(harness.anomalies().isEmpty(), "normal leaves and a bridge restart are not a spike");
        disconnects(12, 80, "KEEP_ALIVE_TIMEOUT");
        List<Anomaly> raised = harness.anomalies();
        assertEquals(1, raised.size());
        Anomaly spike = raised.get(0);
        assertEquals(FleetDisconnectSpike.FLEET, spike.getDeviceId());
        assertEquals(Detector.DISCONNECT_SPIKE.name(), spike.getDetector());
        assertEquals(T0 + 12 * MINUTE, spike.getTsMs());
        assertTrue(spike.getValue() >= 10 && spike.getValue() < 80, "raised as the count crossed the line: " + spike.getValue());
        assertTrue(spike.getExpected() > 1 && spike.getExpected() < 5, "baseline " + spike.getExpected());
        disconnects(13, 3, "CONNECTION_LOST");
        assertTrue(harness.anomalies().isEmpty());
    }

    @Test
    void nothingIsRaisedDuringTheWarmUp() {
        disconnects(0, 1, "CONNECTION_LOST");
        disconnects(1, 100, "CONNECTION_LOST");
        assertTrue(harness.anomalies().isEmpty());
    }
}
