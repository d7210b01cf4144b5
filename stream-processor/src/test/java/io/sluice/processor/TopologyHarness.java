package io.sluice.processor;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;

import io.sluice.processor.anomaly.DetectionRules;
import io.sluice.schemas.avro.Anomaly;
import io.sluice.schemas.avro.DeadLetter;
import io.sluice.schemas.avro.DeviceSession;
import io.sluice.schemas.avro.TelemetryEvent;
import io.sluice.schemas.avro.TelemetryRollup;
import io.sluice.schemas.kafka.Topic;
import io.sluice.schemas.kafka.Topics;

/** The real topology in a TopologyTestDriver, with typed inputs and outputs and a wall clock the test moves. */
public final class TopologyHarness implements AutoCloseable {

    public static final Instant START = Instant.parse("2026-11-22T10:00:00Z");

    public final TopologyTestDriver driver;
    public final TestInputTopic<String, TelemetryEvent> raw;
    public final TestInputTopic<String, byte[]> rawBytes;
    public final TestInputTopic<String, DeviceSession> sessions;
    public final TestOutputTopic<String, DeadLetter> deadLetters;
    public final TestOutputTopic<String, TelemetryRollup> rollups1m;
    public final TestOutputTopic<String, TelemetryRollup> rollups1h;
    public final TestOutputTopic<String, Anomaly> anomalies;

    public TopologyHarness(Map<String, Object> settings, DetectionRules rules) {
        Map<String, Object> values = new HashMap<>(settings);
        ProcessorConfig config = new ProcessorConfig(values);
        driver = new TopologyTestDriver(TelemetryTopology.build(config, rules, PartitionActivity.unobserved()),
                config.streamsProperties(), START);
        raw = input(Topics.TELEMETRY_RAW);
        rawBytes = driver.createInputTopic(Topics.TELEMETRY_RAW.name(), Serdes.String().serializer(), Serdes.ByteArray().serializer());
        sessions = input(Topics.DEVICE_SESSIONS);
        deadLetters = output(Topics.DEAD_LETTER);
        rollups1m = output(Topics.TELEMETRY_1M);
        rollups1h = output(Topics.TELEMETRY_1H);
        anomalies = output(Topics.ANOMALIES);
    }

    public TopologyHarness() {
        this(Map.of(), DetectionRules.defaults());
    }

    private <V> TestInputTopic<String, V> input(Topic<String, V> topic) {
        return driver.createInputTopic(topic.name(), topic.keySerde().serializer(), topic.valueSerde().serializer());
    }

    private <V> TestOutputTopic<String, V> output(Topic<String, V> topic) {
        return driver.createOutputTopic(topic.name(), topic.keySerde().deserializer(), topic.valueSerde().deserializer());
    }

    public static TelemetryEvent event(String device, long ts, Long seq, Map<String, Double> metrics) {
        return TelemetryEvent.newBuilder().setDeviceId(device).setTsMs(ts).setSeq(seq).setReceivedAtMs(ts)
                .setMetrics(metrics).build();
    }

    /** One reading of one metric, received when taken. */
    public void reading(String device, long ts, String metric, double value) {
        raw.pipeInput(device, event(device, ts, null, Map.of(metric, value)), ts);
    }

    public static DeviceSession disconnect(String device, long ts, String reason) {
        return DeviceSession.newBuilder().setDeviceId(device).setClientId(device).setBridgeId("bridge-1")
                .setEvent("DISCONNECTED").setReason(reason).setAddress("127.0.0.1:1").setTransport("tcp")
                .setProtocolVersion(5).setKeepAliveSeconds(30).setTsMs(ts).setConnectedMs(1000).build();
    }

    /** The running total of one of the processors' own sensors ({@code <operation>-total}, tagged with its entity). */
    public double total(String operation, String entity) {
        return driver.metrics().entrySet().stream()
                .filter(e -> e.getKey().name().equals(operation + "-total") && e.getKey().tags().containsValue(entity))
                .mapToDouble(e -> ((Number) e.getValue().metricValue()).doubleValue()).sum();
    }

    public void advanceWallClock(Duration by) {
        driver.advanceWallClockTime(by);
    }

    public List<Anomaly> anomalies() {
        return anomalies.readValuesToList();
    }

    @Override
    public void close() {
        driver.close();
    }
}
