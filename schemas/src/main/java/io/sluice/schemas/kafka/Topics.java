package io.sluice.schemas.kafka;

import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

import io.sluice.schemas.avro.Anomaly;
import io.sluice.schemas.avro.DeadLetter;
import io.sluice.schemas.avro.DeviceSession;
import io.sluice.schemas.avro.TelemetryEvent;
import io.sluice.schemas.avro.TelemetryRollup;

/**
 * Every Kafka topic of Sluice, in one place. No topic name is written anywhere else.
 *
 * <p>All keys are the device id, so that each device's records stay in one partition, in order.
 * Topics are over-partitioned up front ({@link #DEFAULT_PARTITIONS}) so that processors and sinks
 * can scale out by adding replicas.
 */
public final class Topics {

    public static final int DEFAULT_PARTITIONS = 12;

    /** How long raw telemetry is kept: the window a replay can reach back into. */
    public static final long DEFAULT_RAW_RETENTION_MS = 7L * 24 * 60 * 60 * 1000;

    private static final AvroSerde<TelemetryEvent> TELEMETRY_EVENT_SERDE =
            new AvroSerde<>(TelemetryEvent.getEncoder(), TelemetryEvent.getDecoder());

    private static final AvroSerde<DeadLetter> DEAD_LETTER_SERDE =
            new AvroSerde<>(DeadLetter.getEncoder(), DeadLetter.getDecoder());

    private static final AvroSerde<DeviceSession> DEVICE_SESSION_SERDE =
            new AvroSerde<>(DeviceSession.getEncoder(), DeviceSession.getDecoder());

    private static final AvroSerde<TelemetryRollup> TELEMETRY_ROLLUP_SERDE =
            new AvroSerde<>(TelemetryRollup.getEncoder(), TelemetryRollup.getDecoder());

    private static final AvroSerde<Anomaly> ANOMALY_SERDE =
            new AvroSerde<>(Anomaly.getEncoder(), Anomaly.getDecoder());

    private static final Serde<String> DEVICE_ID = Serdes.String();

    /**
     * Telemetry as the bridges accepted it: the stream of record. The sink writes it into ClickHouse as it is
     * (one row per reading, retransmissions collapsed by the table's natural key), the processors derive
     * rollups and anomalies from it, and replays read it again.
     */
    public static final Topic<String, TelemetryEvent> TELEMETRY_RAW = new Topic<>(
            "sluice.telemetry.raw", DEVICE_ID, TELEMETRY_EVENT_SERDE,
            Map.of(TopicConfig.RETENTION_MS_CONFIG, Long.toString(DEFAULT_RAW_RETENTION_MS),
                    TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, "1"));

    /** Input that could not be accepted, with the reason. */
    public static final Topic<String, DeadLetter> DEAD_LETTER = new Topic<>(
            "sluice.deadletter", DEVICE_ID, DEAD_LETTER_SERDE,
            Map.of(TopicConfig.RETENTION_MS_CONFIG, Long.toString(DEFAULT_RAW_RETENTION_MS)));

    /** Device connections opening, closing and refused, from every bridge. */
    public static final Topic<String, DeviceSession> DEVICE_SESSIONS = new Topic<>(
            "sluice.device.sessions", DEVICE_ID, DEVICE_SESSION_SERDE,
            Map.of(TopicConfig.RETENTION_MS_CONFIG, Long.toString(DEFAULT_RAW_RETENTION_MS)));

    /** One-minute rollups per device and metric, one record per closed window. */
    public static final Topic<String, TelemetryRollup> TELEMETRY_1M = new Topic<>(
            "sluice.telemetry.1m", DEVICE_ID, TELEMETRY_ROLLUP_SERDE,
            Map.of(TopicConfig.RETENTION_MS_CONFIG, Long.toString(DEFAULT_RAW_RETENTION_MS)));

    /** Hourly rollups per device and metric, one record per closed window. */
    public static final Topic<String, TelemetryRollup> TELEMETRY_1H = new Topic<>(
            "sluice.telemetry.1h", DEVICE_ID, TELEMETRY_ROLLUP_SERDE,
            Map.of(TopicConfig.RETENTION_MS_CONFIG, Long.toString(DEFAULT_RAW_RETENTION_MS)));

    /** Anomalies the detectors raised, one record per episode; keyed by device id ('*fleet*' for the fleet). */
    public static final Topic<String, Anomaly> ANOMALIES = new Topic<>(
            "sluice.anomalies", DEVICE_ID, ANOMALY_SERDE,
            Map.of(TopicConfig.RETENTION_MS_CONFIG, Long.toString(DEFAULT_RAW_RETENTION_MS)));

    /** Every topic, as each service ensures it exists at start-up. */
    public static final List<Topic<?, ?>> ALL = List.of(TELEMETRY_RAW, DEAD_LETTER, DEVICE_SESSIONS,
            TELEMETRY_1M, TELEMETRY_1H, ANOMALIES);

    private Topics() {
    }

    /** Every topic as it is created on a cluster: what each service ensures at start-up, from this one list. */
    public static List<NewTopic> newTopics(int partitions, short replicationFactor) {
        return ALL.stream().map(topic -> topic.newTopic(partitions, replicationFactor)).toList();
    }
}
