package io.sluice.processor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.common.serialization.Serdes;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.sluice.schemas.avro.TelemetryEvent;
import io.sluice.schemas.kafka.Topics;

class TelemetryTopologyTest {

    private TopologyTestDriver driver;
    private TestInputTopic<String, TelemetryEvent> raw;
    private TestInputTopic<String, byte[]> rawBytes;
    private TestOutputTopic<String, TelemetryEvent> telemetry;

    @BeforeEach
    void setUp() {
        ProcessorConfig config = new ProcessorConfig(Map.of());
        driver = new TopologyTestDriver(TelemetryTopology.build(config), config.streamsProperties());
        raw = driver.createInputTopic(Topics.TELEMETRY_RAW.name(), Topics.TELEMETRY_RAW.keySerde().serializer(),
                Topics.TELEMETRY_RAW.valueSerde().serializer());
        rawBytes = driver.createInputTopic(Topics.TELEMETRY_RAW.name(), Serdes.String().serializer(),
                Serdes.ByteArray().serializer());
        telemetry = driver.createOutputTopic(Topics.TELEMETRY.name(), Topics.TELEMETRY.keySerde().deserializer(),
                Topics.TELEMETRY.valueSerde().deserializer());
    }

    @AfterEach
    void tearDown() {
        driver.close();
    }

    private static TelemetryEvent event(String device, long ts) {
        return TelemetryEvent.newBuilder().setDeviceId(device).setTsMs(ts).setSeq(null).setReceivedAtMs(ts)
                .setMetrics(Map.of("t", 1.0)).build();
    }

    @Test
    void readingsArePassedOnKeyedByDeviceInOrder() {
        raw.pipeInput("a", event("a", 1));
        raw.pipeInput("b", event("b", 2));
        raw.pipeInput("a", event("a", 3));
        List<KeyValue<String, TelemetryEvent>> out = telemetry.readKeyValuesToList();
        assertEquals(List.of(KeyValue.pair("a", event("a", 1)), KeyValue.pair("b", event("b", 2)), KeyValue.pair("a", event("a", 3))), out);
    }

    @Test
    void aPoisonRecordIsSkippedAndTheStreamCarriesOn() {
        rawBytes.pipeInput("a", "not avro".getBytes());
        raw.pipeInput("a", event("a", 5));
        raw.pipeInput(null, event("x", 6));
        assertEquals(List.of(KeyValue.pair("a", event("a", 5))), telemetry.readKeyValuesToList());
        assertTrue(telemetry.isEmpty());
    }
}
