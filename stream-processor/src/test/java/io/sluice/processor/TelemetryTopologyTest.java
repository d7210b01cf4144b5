package io.sluice.processor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import org.apache.kafka.streams.TopologyDescription;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.sluice.processor.anomaly.DetectionRules;
import io.sluice.schemas.avro.TelemetryRollup;
import io.sluice.schemas.kafka.Topics;

class TelemetryTopologyTest {

    private static final long T0 = TopologyHarness.START.toEpochMilli();
    private static final long MINUTE = 60_000;
    private static final long GRACE = 10_000;

    private final TopologyHarness harness = new TopologyHarness(Map.of(ProcessorConfig.WINDOW_GRACE_MS, GRACE), DetectionRules.defaults());

    @AfterEach
    void tearDown() {
        harness.close();
    }

    @Test
    void rawReadingsCrossKafkaOnceTheProcessorsWriteOnlyWhatTheyDerive() {
        Set<String> written = new TreeSet<>();
        for (TopologyDescription.Subtopology subtopology : TelemetryTopology.build(new ProcessorConfig(Map.of()), DetectionRules.defaults(),
                PartitionActivity.unobserved()).describe().subtopologies()) {
            for (TopologyDescription.Node node : subtopology.nodes()) {
                if (node instanceof TopologyDescription.Sink sink && sink.topic() != null) {
                    written.add(sink.topic());
                }
            }
        }
        assertEquals(new TreeSet<>(Set.of(Topics.TELEMETRY_1M.name(), Topics.TELEMETRY_1H.name(), Topics.ANOMALIES.name(),
                Topics.DEAD_LETTER.name(), "fleet-disconnects-repartition")), written);
    }

    @Test
    void aPoisonRecordDoesNotStopTheStream() {
        // The dead-letter record itself is checked in PoisonRecordHandlerTest and, through a real
        // broker, in the end-to-end suite: this test driver does not produce a handler's dead letters.
        harness.rawBytes.pipeInput("a", "not avro".getBytes(), T0);
        harness.reading("a", T0 + 1_000, "t", 5.0);
        harness.raw.pipeInput(null, TopologyHarness.event("x", T0 + 2_000, null, Map.of("t", 1.0)), T0 + 2_000);
        harness.reading("a", T0 + MINUTE + GRACE, "t", 1.0);
        TelemetryRollup minute = harness.rollups1m.readValue();
        assertEquals("a", minute.getDeviceId());
        assertEquals(1, minute.getCount());
        assertEquals(5.0, minute.getSum());
        assertTrue(harness.rollups1m.isEmpty());
    }
}
