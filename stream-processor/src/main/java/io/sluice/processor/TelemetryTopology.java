package io.sluice.processor;

import java.time.Duration;
import java.util.Map;

import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.state.Stores;

import io.sluice.processor.anomaly.DetectionRules;
import io.sluice.processor.anomaly.FleetDisconnectSpike;
import io.sluice.processor.device.DeviceLimits;
import io.sluice.processor.device.DeviceOutput;
import io.sluice.processor.device.DeviceTelemetry;
import io.sluice.processor.rollup.OpenWindows;
import io.sluice.schemas.avro.Anomaly;
import io.sluice.schemas.kafka.Topic;
import io.sluice.schemas.kafka.Topics;

/**
 * The processing of telemetry, built in one place. Tests build the very same topology.
 *
 * <pre>
 * sluice.telemetry.raw ─▶ device state ─┬─▶ minute rollups ─▶ sluice.telemetry.1m
 *  (one read and one write │             ├─▶ hourly rollups ─▶ sluice.telemetry.1h
 *   per event: dedupe,     │             ├─▶ over a bound ───▶ sluice.deadletter
 *   windows, detectors)    │             └─▶ anomalies ──────┐
 * sluice.device.sessions ─▶ abnormal disconnects ─▶ (one partition) ─▶ fleet spike ─┴─▶ sluice.anomalies
 * </pre>
 *
 * Raw readings are not re-emitted: the sink writes them into ClickHouse from the raw topic itself, so a
 * reading crosses Kafka once and is queryable without waiting for the processors' transactions. The
 * processors emit only what they derive.
 *
 * <p>A device's dedupe memory, open windows and detector state are one value ({@link DeviceTelemetry}),
 * keyed by the device id, the raw topic's own key: nothing is repartitioned and each device's readings
 * are judged in order by the task that owns its partition. Only the fleet detector, which needs every
 * device's disconnections in one place, reads them through a one-partition topic.
 */
public final class TelemetryTopology {

    /** How often quiet devices' windows are closed and silences looked for (wall clock). */
    static final Duration HOUSEKEEPING = Duration.ofSeconds(1);

    private TelemetryTopology() {
    }

    public static Topology build(ProcessorConfig config, DetectionRules rules, PartitionActivity activity) {
        TimeRange range = new TimeRange(config.getLong(ProcessorConfig.REPLAY_FROM_MS), config.getLong(ProcessorConfig.REPLAY_TO_MS));
        DeviceLimits limits = new DeviceLimits(config.getLong(ProcessorConfig.WINDOW_GRACE_MS), config.getLong(ProcessorConfig.IDLE_MS),
                config.getLong(ProcessorConfig.DEVICE_STATE_TTL_MS), config.getInt(ProcessorConfig.DEVICE_MAX_METRICS),
                config.getInt(ProcessorConfig.DEDUPE_MAX_EVENTS), config.getInt(ProcessorConfig.DEVICES_MAX_PER_TASK),
                config.getBoolean(ProcessorConfig.SILENCE_WALL_CLOCK), range);

        StreamsBuilder builder = new StreamsBuilder();
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(DeviceTelemetry.STORE),
                Serdes.String(), DeviceTelemetry.stateSerde()).withCachingEnabled());
        KStream<String, DeviceOutput> derived = builder.stream(Topics.TELEMETRY_RAW.name(),
                        Consumed.with(Topics.TELEMETRY_RAW.keySerde(), Topics.TELEMETRY_RAW.valueSerde()).withName("raw-telemetry"))
                .process(() -> new DeviceTelemetry(rules, limits, activity, HOUSEKEEPING), Named.as("device-state"),
                        DeviceTelemetry.STORE);

        Map<String, KStream<String, DeviceOutput>> branches = derived.split(Named.as("derived-"))
                .branch((device, out) -> out instanceof DeviceOutput.Rollup r && r.value().getWindowMs() == OpenWindows.MINUTE_MS,
                        Branched.withConsumer(minutes -> minutes.mapValues(out -> ((DeviceOutput.Rollup) out).value(), Named.as("minute"))
                                .to(Topics.TELEMETRY_1M.name(), produced(Topics.TELEMETRY_1M, "rollup-1m-out")), "1m"))
                .branch((device, out) -> out instanceof DeviceOutput.Rollup,
                        Branched.withConsumer(hours -> hours.mapValues(out -> ((DeviceOutput.Rollup) out).value(), Named.as("hour"))
                                .to(Topics.TELEMETRY_1H.name(), produced(Topics.TELEMETRY_1H, "rollup-1h-out")), "1h"))
                .branch((device, out) -> out instanceof DeviceOutput.Refused,
                        Branched.withConsumer(refused -> refused.mapValues(out -> ((DeviceOutput.Refused) out).value(), Named.as("refusal"))
                                .to(Topics.DEAD_LETTER.name(), produced(Topics.DEAD_LETTER, "refused-out")), "refused"))
                .defaultBranch(Branched.as("anomalies"));
        KStream<String, Anomaly> deviceAnomalies = branches.get("derived-anomalies")
                .mapValues(out -> ((DeviceOutput.Alert) out).value(), Named.as("device-anomaly"));

        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(FleetDisconnectSpike.STORE),
                Serdes.String(), FleetDisconnectSpike.baselineSerde()));
        KStream<String, Anomaly> fleetAnomalies = builder.stream(Topics.DEVICE_SESSIONS.name(),
                        Consumed.with(Topics.DEVICE_SESSIONS.keySerde(), Topics.DEVICE_SESSIONS.valueSerde()).withName("device-sessions"))
                .filter((deviceId, session) -> session != null && FleetDisconnectSpike.isAbnormalDisconnect(session),
                        Named.as("abnormal-disconnects"))
                .processValues(range.filter(), Named.as("sessions-replay-range"))
                .selectKey((deviceId, session) -> FleetDisconnectSpike.FLEET, Named.as("key-by-fleet"))
                .repartition(Repartitioned.with(Serdes.String(), Topics.DEVICE_SESSIONS.valueSerde())
                        .withName("fleet-disconnects").withNumberOfPartitions(1))
                .process(() -> new FleetDisconnectSpike(rules.disconnectSpike()), Named.as("detect-disconnect-spikes"),
                        FleetDisconnectSpike.STORE);
        deviceAnomalies.merge(fleetAnomalies, Named.as("all-anomalies"))
                .to(Topics.ANOMALIES.name(), produced(Topics.ANOMALIES, "anomalies-out"));
        return builder.build();
    }

    private static <V> Produced<String, V> produced(Topic<String, V> topic, String name) {
        return Produced.with(topic.keySerde(), topic.valueSerde()).withName(name);
    }
}
