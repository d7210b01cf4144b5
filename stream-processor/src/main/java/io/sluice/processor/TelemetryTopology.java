package io.sluice.processor;

import java.time.Duration;

import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.state.Stores;

import io.sluice.processor.anomaly.AnomalyDetector;
import io.sluice.processor.anomaly.DetectionRules;
import io.sluice.processor.anomaly.FleetDisconnectSpike;
import io.sluice.processor.rollup.WindowRollups;
import io.sluice.schemas.avro.Anomaly;
import io.sluice.schemas.avro.TelemetryEvent;
import io.sluice.schemas.avro.TelemetryRollup;
import io.sluice.schemas.kafka.Topic;
import io.sluice.schemas.kafka.Topics;

/**
 * The processing of telemetry, built in one place. Tests build the very same topology.
 *
 * <pre>
 * sluice.telemetry.raw ─▶ dedupe ─┬─▶ sluice.telemetry                 (readings, each natural key once)
 *                                 ├─▶ 1-minute rollups ─▶ sluice.telemetry.1m
 *                                 ├─▶ hourly rollups ───▶ sluice.telemetry.1h
 *                                 └─▶ detectors ───────┐
 * sluice.device.sessions ─▶ abnormal disconnects ─▶ (one partition) ─▶ fleet spike ─┴─▶ sluice.anomalies
 * </pre>
 *
 * Every store is cached: within a commit interval, a device's state is read and written in memory and
 * reaches RocksDB and its changelog once per commit, not once per reading.
 *
 * <p>Every branch after dedupe keeps the device id as the key, so nothing is repartitioned and each
 * device's readings are judged in order by the task that owns its partition. Only the fleet detector,
 * which needs every device's disconnections in one place, reads them through a one-partition topic.
 */
public final class TelemetryTopology {

    public static final Duration ONE_MINUTE = Duration.ofMinutes(1);
    public static final Duration ONE_HOUR = Duration.ofHours(1);
    /** How often quiet devices' windows are closed and silences looked for (wall clock). */
    static final Duration HOUSEKEEPING = Duration.ofSeconds(1);

    private TelemetryTopology() {
    }

    public static Topology build(ProcessorConfig config, DetectionRules rules, PartitionActivity activity) {
        Duration dedupeWindow = Duration.ofMillis(config.getLong(ProcessorConfig.DEDUPE_WINDOW_MS));
        Duration grace = Duration.ofMillis(config.getLong(ProcessorConfig.WINDOW_GRACE_MS));
        Duration idle = Duration.ofMillis(config.getLong(ProcessorConfig.IDLE_MS));
        boolean wallClock = config.getBoolean(ProcessorConfig.SILENCE_WALL_CLOCK);
        long from = config.getLong(ProcessorConfig.REPLAY_FROM_MS);
        long to = config.getLong(ProcessorConfig.REPLAY_TO_MS);

        StreamsBuilder builder = new StreamsBuilder();
        builder.addStateStore(Stores.windowStoreBuilder(
                Stores.persistentWindowStore(ReadingDeduplicator.STORE, dedupeWindow, dedupeWindow, false),
                Serdes.String(), Serdes.String()).withCachingEnabled());
        KStream<String, TelemetryEvent> readings = builder.stream(Topics.TELEMETRY_RAW.name(),
                        Consumed.with(Topics.TELEMETRY_RAW.keySerde(), Topics.TELEMETRY_RAW.valueSerde()).withName("raw-telemetry"))
                .filter((deviceId, event) -> deviceId != null && event != null, Named.as("drop-keyless-and-tombstones"))
                .processValues(() -> new TimeRange<>(from, to), Named.as("replay-range"))
                .processValues(() -> new ReadingDeduplicator(activity), Named.as("dedupe-readings"),
                        ReadingDeduplicator.STORE);
        readings.to(Topics.TELEMETRY.name(), produced(Topics.TELEMETRY, "telemetry-out"));

        rollups(builder, readings, ONE_MINUTE, grace, idle, Topics.TELEMETRY_1M, "1m");
        rollups(builder, readings, ONE_HOUR, grace, idle, Topics.TELEMETRY_1H, "1h");

        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(AnomalyDetector.METRICS_STORE),
                Serdes.String(), AnomalyDetector.metricStateSerde()).withCachingEnabled());
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(AnomalyDetector.DEVICES_STORE),
                Serdes.String(), AnomalyDetector.deviceStateSerde()).withCachingEnabled());
        KStream<String, Anomaly> deviceAnomalies = readings.process(
                () -> new AnomalyDetector(rules, HOUSEKEEPING, idle.toMillis(), wallClock), Named.as("detect-anomalies"),
                AnomalyDetector.METRICS_STORE, AnomalyDetector.DEVICES_STORE);

        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(FleetDisconnectSpike.STORE),
                Serdes.String(), FleetDisconnectSpike.baselineSerde()));
        KStream<String, Anomaly> fleetAnomalies = builder.stream(Topics.DEVICE_SESSIONS.name(),
                        Consumed.with(Topics.DEVICE_SESSIONS.keySerde(), Topics.DEVICE_SESSIONS.valueSerde()).withName("device-sessions"))
                .filter((deviceId, session) -> session != null && FleetDisconnectSpike.isAbnormalDisconnect(session),
                        Named.as("abnormal-disconnects"))
                .processValues(() -> new TimeRange<>(from, to), Named.as("sessions-replay-range"))
                .selectKey((deviceId, session) -> FleetDisconnectSpike.FLEET, Named.as("key-by-fleet"))
                .repartition(Repartitioned.with(Serdes.String(), Topics.DEVICE_SESSIONS.valueSerde())
                        .withName("fleet-disconnects").withNumberOfPartitions(1))
                .process(() -> new FleetDisconnectSpike(rules.disconnectSpike()), Named.as("detect-disconnect-spikes"),
                        FleetDisconnectSpike.STORE);
        deviceAnomalies.merge(fleetAnomalies, Named.as("all-anomalies"))
                .to(Topics.ANOMALIES.name(), produced(Topics.ANOMALIES, "anomalies-out"));
        return builder.build();
    }

    private static void rollups(StreamsBuilder builder, KStream<String, TelemetryEvent> readings, Duration size, Duration grace,
                                Duration idle, Topic<String, TelemetryRollup> topic, String name) {
        String windows = "rollup-" + name + "-windows";
        String clocks = "rollup-" + name + "-clocks";
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(windows),
                Serdes.String(), Topics.TELEMETRY_ROLLUP_SERDE).withCachingEnabled());
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(clocks),
                Serdes.String(), WindowRollups.clockSerde()).withCachingEnabled());
        readings.process(() -> new WindowRollups(size, grace, idle, HOUSEKEEPING, windows, clocks), Named.as("rollup-" + name),
                        windows, clocks)
                .to(topic.name(), produced(topic, "rollup-" + name + "-out"));
    }

    private static <V> Produced<String, V> produced(Topic<String, V> topic, String name) {
        return Produced.with(topic.keySerde(), topic.valueSerde()).withName(name);
    }
}
