package io.sluice.processor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.sluice.schemas.avro.TelemetryEvent;
import io.sluice.processor.anomaly.DetectionRules;

class TelemetryTopologyTest {

    private TopologyHarness harness;
    private TestInputTopic<String, TelemetryEvent> raw;
    private TestInputTopic<String, byte[]> rawBytes;
    private TestOutputTopic<String, TelemetryEvent> telemetry;

    private static final long WINDOW_MS = 60_000;

    @BeforeEach
    void setUp() {
        harness = new TopologyHarness(Map.of(ProcessorConfig.DEDUPE_WINDOW_MS, WINDOW_MS), DetectionRules.defaults());
        raw = harness.raw;
        rawBytes = harness.rawBytes;
        telemetry = harness.telemetry;
    }

    @AfterEach
    void tearDown() {
        harness.close();
    }

    private static TelemetryEvent event(String device, long ts) {
        return event(device, ts, null, Map.of("t", 1.0));
    }

    private static TelemetryEvent event(String device, long ts, Long seq, Map<String, Double> metrics) {
        return TelemetryEvent.newBuilder().setDeviceId(device).setTsMs(ts).setSeq(seq).setReceivedAtMs(ts)
                .setMetrics(metrics).build();
    }

    @Test
    void aRetransmittedEventIsDroppedWithinTheWindow() {
        TelemetryEvent reading = event("a", 1000, 7L, Map.of("t", 1.0, "h", 2.0));
        raw.pipeInput("a", reading, 1000);
        raw.pipeInput("a", reading, 5000);
        assertEquals(List.of(reading), telemetry.readValuesToList());
    }

    @Test
    void readingsWithTheSameTimeButOtherMetricsOrSequenceAreKept() {
        raw.pipeInput("a", event("a", 1000, null, Map.of("t", 1.0)), 1000);
        raw.pipeInput("a", event("a", 1000, null, Map.of("h", 2.0)), 1001);
        raw.pipeInput("a", event("a", 1000, 1L, Map.of("t", 1.0)), 1002);
        raw.pipeInput("b", event("b", 1000, null, Map.of("t", 1.0)), 1003);
        assertEquals(4, telemetry.readValuesToList().size());
    }

    @Test
    void anEventWithSomeSeenReadingsGoesOnWithOnlyTheNewOnes() {
        raw.pipeInput("a", event("a", 1000, null, Map.of("t", 1.0)), 1000);
        raw.pipeInput("a", event("a", 1000, null, Map.of("t", 1.0, "h", 2.0)), 1001);
        List<TelemetryEvent> out = telemetry.readValuesToList();
        assertEquals(2, out.size());
        assertEquals(Map.of("h", 2.0), out.get(1).getMetrics());
    }

    @Test
    void readingsArePassedOnKeyedByDeviceInOrder() {
        raw.pipeInput("a", event("a", 1), 1);
        raw.pipeInput("b", event("b", 2), 2);
        raw.pipeInput("a", event("a", 3), 3);
        List<KeyValue<String, TelemetryEvent>> out = telemetry.readKeyValuesToList();
        assertEquals(List.of(KeyValue.pair("a", event("a", 1)), KeyValue.pair("b", event("b", 2)), KeyValue.pair("a", event("a", 3))), out);
    }

    @Test
    void aPoisonRecordDoesNotStopTheStream() {
        // The dead-letter record itself is checked in PoisonRecordHandlerTest and, through a real
        // broker, in the end-to-end suite: this test driver does not produce a handler's dead letters.
        rawBytes.pipeInput("a", "not avro".getBytes(), 4);
        raw.pipeInput("a", event("a", 5), 5);
        raw.pipeInput(null, event("x", 6), 6);
        assertEquals(List.of(KeyValue.pair("a", event("a", 5))), telemetry.readKeyValuesToList());
        assertTrue(telemetry.isEmpty());
    }
}
