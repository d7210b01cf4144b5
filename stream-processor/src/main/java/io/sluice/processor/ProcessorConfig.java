package io.sluice.processor;

import java.util.Map;
import java.util.Properties;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.streams.StreamsConfig;

import io.sluice.runtime.CommonSettings;
import io.sluice.runtime.KafkaConnection;
import io.sluice.runtime.ServiceConfig;
import io.sluice.schemas.kafka.Topics;

/**
 * The settings of a stream processor replica: typed, documented and validated at start-up. Each key can
 * also be set from the environment as {@code SLUICE_PROCESSOR_<KEY>}. Replicas with the same
 * {@code application.id} share the work, one partition at a time.
 */
public final class ProcessorConfig extends AbstractConfig {

    public static final String ENV_PREFIX = "SLUICE_PROCESSOR_";

    public static final String APPLICATION_ID = "application.id";
    public static final String INSTANCE_ID = "instance.id";
    public static final String KAFKA_BOOTSTRAP_SERVERS = CommonSettings.KAFKA_BOOTSTRAP_SERVERS;
    public static final String KAFKA_TOPIC_PARTITIONS = CommonSettings.KAFKA_TOPIC_PARTITIONS;
    public static final String KAFKA_TOPIC_REPLICATION = CommonSettings.KAFKA_TOPIC_REPLICATION;
    public static final String STATE_DIR = "state.dir";
    public static final String STREAM_THREADS = "stream.threads";
    public static final String COMMIT_INTERVAL_MS = "commit.interval.ms";
    public static final String DEDUPE_MAX_EVENTS = "dedupe.max.events";
    public static final String DEVICE_MAX_METRICS = "device.max.metrics";
    public static final String DEVICE_STATE_TTL_MS = "device.state.ttl.ms";
    public static final String DEVICES_MAX_PER_TASK = "devices.max.per.task";
    public static final String WINDOW_GRACE_MS = "window.grace.ms";
    public static final String IDLE_MS = "idle.ms";
    public static final String RULES_FILE = "rules.file";
    public static final String SILENCE_WALL_CLOCK = "silence.wall.clock";
    public static final String STANDBY_REPLICAS = "standby.replicas";
    public static final String KAFKA_SESSION_TIMEOUT_MS = CommonSettings.KAFKA_SESSION_TIMEOUT_MS;
    public static final String CACHE_MAX_BYTES = "cache.max.bytes";
    public static final String REPLAY_FROM_MS = "replay.from.ms";
    public static final String REPLAY_TO_MS = "replay.to.ms";
    public static final String ROCKSDB_MEMORY_BYTES = "rocksdb.memory.bytes";
    public static final String OPS_HOST = CommonSettings.OPS_HOST;
    public static final String OPS_PORT = CommonSettings.OPS_PORT;

    public static final ConfigDef DEFINITION = CommonSettings.withGroupMembership(CommonSettings.withOps(CommonSettings.withKafka(new ConfigDef(),
                    Topics.DEFAULT_PARTITIONS), 8081)
            .define(APPLICATION_ID, Type.STRING, "sluice-stream-processor", new ConfigDef.NonEmptyString(), Importance.HIGH,
                    "Kafka Streams application id: replicas sharing it split the partitions between them.")
            .define(INSTANCE_ID, Type.STRING, "", Importance.MEDIUM,
                    "This replica's name, in logs, metrics (tag replica) and its Kafka client id; empty: the host name.")
            .define(STATE_DIR, Type.STRING, System.getProperty("java.io.tmpdir") + "/sluice-streams", Importance.MEDIUM,
                    "Directory of the local state stores; one per replica.")
            .define(STREAM_THREADS, Type.INT, 1, Range.between(1, 64), Importance.MEDIUM,
                    "Stream threads in this replica.")
            // Each commit is a transaction over every partition the replica writes: at 100 ms (Kafka Streams'
            // exactly-once default) they cost the broker a third more CPU and the bridges' acks a p99 of 1.3 s at
            // 2,500 msg/s on two cores, against 78 ms at 1 s (docs/benchmarks.md).
            .define(COMMIT_INTERVAL_MS, Type.LONG, 1000L, Range.between(10, 60_000), Importance.MEDIUM,
                    "How often results are committed: each commit is an exactly-once transaction over every output partition, and"
                            + " the floor of the rollups' and anomalies' latency (raw readings do not wait for it). 100 ms, Kafka"
                            + " Streams' default, cost a third more broker CPU here.")
            .define(DEDUPE_MAX_EVENTS, Type.INT, 256, Range.between(1, 4096), Importance.MEDIUM,
                    "Events each device's state remembers (time, sequence number, metrics) to drop retransmitted readings; at"
                            + " least a device's in-flight window (mqtt.receive.maximum). Older duplicates are collapsed by"
                            + " ClickHouse; for the rollups and detectors a reading older than what is remembered is late.")
            .define(DEVICE_MAX_METRICS, Type.INT, 64, Range.between(1, 64), Importance.MEDIUM,
                    "Metrics a device's state tracks (rollups and detectors). Readings of further metrics are still stored in"
                            + " sluice.telemetry, but refused by the processors: counted and dead-lettered (METRIC_LIMIT). A metric"
                            + " idle for device.state.ttl.ms gives up its slot.")
            .define(DEVICE_STATE_TTL_MS, Type.LONG, 7L * 24 * 60 * 60 * 1000, Range.between(2L * 60 * 60 * 1000, 365L * 24 * 60 * 60 * 1000),
                    Importance.MEDIUM,
                    "A device quiet this long (in the partition's time) is forgotten: its baselines and usual interval go.")
            .define(DEVICES_MAX_PER_TASK, Type.INT, 100_000, Range.between(1, 10_000_000), Importance.MEDIUM,
                    "Devices with state per processor task (per partition of the raw topic). Events of further devices are"
                            + " refused by the processors (stored raw, but no rollups or detection): counted and dead-lettered"
                            + " (DEVICE_LIMIT).")
            .define(WINDOW_GRACE_MS, Type.LONG, 10_000L, Range.between(0, 5L * 60 * 1000), Importance.MEDIUM,
                    "How long after a rollup window ends (in the device's own time) its late readings are still counted;"
                            + " the window is then emitted once. Readings later than that stay in sluice.telemetry but not in"
                            + " the rollups, and are counted (late-readings).")
            .define(IDLE_MS, Type.LONG, 30_000L, Range.between(1000, 24L * 60 * 60 * 1000), Importance.MEDIUM,
                    "A device quiet this long has its ended windows closed without waiting for its next reading; a partition"
                            + " quiet this long follows the wall clock.")
            .define(RULES_FILE, Type.STRING, "", Importance.HIGH,
                    "The anomaly rules file (YAML): detector settings with per-metric, per-device-type and per-device"
                            + " overrides. Empty: the built-in defaults.")
            .define(SILENCE_WALL_CLOCK, Type.BOOLEAN, true, Importance.LOW,
                    "Whether device silence may be judged by the wall clock when a partition is quiet. Replays turn it off,"
                            + " so that the end of a replayed range does not read as every device falling silent.")
            .define(STANDBY_REPLICAS, Type.INT, 1, Range.between(0, 8), Importance.MEDIUM,
                    "Warm copies of each task's state kept on other replicas, so a failover resumes without rebuilding state.")
            .define(CACHE_MAX_BYTES, Type.LONG, 32L * 1024 * 1024, Range.between(0, 4L * 1024 * 1024 * 1024), Importance.MEDIUM,
                    "Heap memory for the state stores' write-back cache, shared by all of this replica's tasks: a device's state"
                            + " is written to RocksDB and its changelog once per commit instead of once per reading.")
            .define(REPLAY_FROM_MS, Type.LONG, -1L, Importance.LOW,
                    "Set by ./sluice replay: only input records from this time (epoch ms, Kafka timestamp) are processed.")
            .define(REPLAY_TO_MS, Type.LONG, Long.MAX_VALUE, Importance.LOW,
                    "Set by ./sluice replay: only input records before this time (epoch ms, Kafka timestamp) are processed.")
            .define(ROCKSDB_MEMORY_BYTES, Type.LONG, 256L * 1024 * 1024, Range.between(8L * 1024 * 1024, 64L * 1024 * 1024 * 1024),
                    Importance.MEDIUM,
                    "Off-heap memory all RocksDB state stores of this replica share: block cache and write buffers together, half"
                            + " of it at most for write buffers (memtables)."));

    public ProcessorConfig(Map<String, ?> values) {
        super(DEFINITION, values);
    }

    public static ProcessorConfig load(String[] args, Map<String, String> env) {
        return new ProcessorConfig(ServiceConfig.gather(DEFINITION, ENV_PREFIX, args, env));
    }

    /** The Kafka Streams configuration of this replica. */
    public Properties streamsProperties() {
        // Pass-through security and connection settings reach every client Kafka Streams makes.
        Map<String, Object> streams = KafkaConnection.of(this).client(Map.of());
        streams.put(StreamsConfig.APPLICATION_ID_CONFIG, getString(APPLICATION_ID));
        streams.put(StreamsConfig.CLIENT_ID_CONFIG, getString(APPLICATION_ID) + "-" + instanceId());
        streams.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        streams.put(StreamsConfig.STATE_DIR_CONFIG, getString(STATE_DIR));
        streams.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, getInt(STREAM_THREADS));
        streams.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, getLong(COMMIT_INTERVAL_MS));
        streams.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, (int) getShort(KAFKA_TOPIC_REPLICATION));
        streams.put(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG, getInt(STANDBY_REPLICAS));
        streams.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, getLong(CACHE_MAX_BYTES));
        // A replica added by `./sluice scale` gets its share of partitions at once and restores their state from the
        // changelogs (seconds here), rather than warming up beside the others until a probing rebalance (minutes).
        streams.put(StreamsConfig.ACCEPTABLE_RECOVERY_LAG_CONFIG, 10_000_000L);
        streams.put(StreamsConfig.PROBING_REBALANCE_INTERVAL_MS_CONFIG, 60_000L);
        int sessionTimeoutMs = getInt(KAFKA_SESSION_TIMEOUT_MS);
        streams.put(StreamsConfig.mainConsumerPrefix(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG), sessionTimeoutMs);
        streams.put(StreamsConfig.mainConsumerPrefix(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG), sessionTimeoutMs / 3);
        // Each sub-topology reads one topic, so there is nothing to align across a task's partitions; with idling on,
        // Kafka Streams also formats a trace message (String.format) each time a task's queue runs dry: 10% of a
        // processor's CPU under load (docs/benchmarks.md).
        streams.put(StreamsConfig.MAX_TASK_IDLE_MS_CONFIG, -1L);
        // The processors emit rollups and anomalies, not readings: they can afford to fetch in larger batches, fewer
        // requests for the broker and fewer turns of the stream loop here.
        streams.put(StreamsConfig.mainConsumerPrefix(ConsumerConfig.FETCH_MIN_BYTES_CONFIG), 64 * 1024);
        streams.put(StreamsConfig.mainConsumerPrefix(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG), 100);
        streams.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG, PoisonRecordHandler.class);
        streams.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG, PoisonRecordHandler.class);
        streams.put(StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG, BoundedRocksDbMemory.class);
        streams.put(BoundedRocksDbMemory.BYTES_CONFIG, getLong(ROCKSDB_MEMORY_BYTES));
        Properties properties = new Properties();
        properties.putAll(streams);
        return properties;
    }

    /** This replica's name: {@link #INSTANCE_ID}, or the host name when it is empty. */
    public String instanceId() {
        return CommonSettings.replicaName(getString(INSTANCE_ID));
    }
}
