package io.sluice.sink;

import io.sluice.clickhouse.ClickHouseQueries;
import io.sluice.clickhouse.ClickHouseEndpoint;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.sluice.runtime.KafkaConnection;
import io.sluice.runtime.KafkaTopicsBootstrap;
import io.sluice.runtime.OpsEndpoint;
import io.sluice.runtime.ServiceMetrics;
import io.sluice.schemas.avro.DeadLetter;
import io.sluice.schemas.kafka.DeadLetters;
import io.sluice.schemas.kafka.Topic;
import io.sluice.schemas.kafka.Topics;

/**
 * One running sink: migrates ClickHouse, then runs a {@link SinkLoop} per topic and table, each on
 * its own thread with its own consumer, so that a table in trouble holds back only its own topic:
 * <ul>
 *   <li>{@code sluice.telemetry.raw} into {@code sluice.telemetry}: raw readings cross Kafka once;</li>
 *   <li>{@code sluice.deadletter} into {@code sluice.rejected};</li>
 *   <li>{@code sluice.device.sessions} into {@code sluice.device_sessions};</li>
 *   <li>{@code sluice.telemetry.1m} and {@code .1h} into {@code sluice.telemetry_1m} and {@code _1h};</li>
 *   <li>{@code sluice.anomalies} into {@code sluice.anomalies}.</li>
 * </ul>
 * Ready while every loop's inserts succeed.
 */
public final class ClickHouseSink implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ClickHouseSink.class);

    /**
     * One table the sink writes: the topic it reads, how a record becomes rows, the setting of its retention, and
     * whether it is live (read as it comes, for the latency users see) rather than derived.
     */
    private record Table<T>(Topic<String, T> topic, TableWriter<T> writer, String retentionDays, boolean live) {
    }

    /** A running loop and what it owns. */
    private record Running(SinkLoop<?> loop, Thread thread, TableWriter<?> writer) {
    }

    private final List<Running> loops;
    private final OpsEndpoint ops;

    private final ScheduledExecutorService housekeeping;

    private final KafkaProducer<byte[], byte[]> deadLetters;

    private ClickHouseSink(List<Running> loops, ScheduledExecutorService housekeeping, KafkaProducer<byte[], byte[]> deadLetters,
                           OpsEndpoint ops) {
        this.loops = loops;
        this.deadLetters = deadLetters;
        this.housekeeping = housekeeping;
        this.ops = ops;
    }

    public static ClickHouseSink start(SinkConfig config) throws Exception {
        ClickHouseEndpoint clickHouse = config.clickHouse();
        ClickHouseMigrator.Result schema = ClickHouseMigrator.run(new ClickHouseQueries(clickHouse));
        LOG.info("ClickHouse at {} is up to date: {} tables, {} migrations applied now", clickHouse, schema.dialect().folder(),
                schema.ran());
        int partitions = config.getInt(SinkConfig.KAFKA_TOPIC_PARTITIONS);
        short replication = config.getShort(SinkConfig.KAFKA_TOPIC_REPLICATION);
        KafkaTopicsBootstrap.ensure(KafkaConnection.of(config), Topics.newTopics(partitions, replication), 30_000);

        PrometheusMeterRegistry registry = ServiceMetrics.registry("clickhouse-sink", config.instanceId());
        KafkaProducer<byte[], byte[]> deadLetters = new KafkaProducer<>(KafkaConnection.of(config).client(Map.of(
                ProducerConfig.CLIENT_ID_CONFIG, "sluice-" + config.instanceId() + "-dead-letters",
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true)), new ByteArraySerializer(), new ByteArraySerializer());
        List<Table<?>> tables = List.of(
                new Table<>(Topics.TELEMETRY_RAW, new TelemetryWriter(clickHouse), SinkConfig.RETENTION_DAYS_TELEMETRY, true),
                new Table<>(Topics.DEAD_LETTER, new RejectedWriter(clickHouse), SinkConfig.RETENTION_DAYS_REJECTED, false),
                new Table<>(Topics.DEVICE_SESSIONS, new SessionWriter(clickHouse), SinkConfig.RETENTION_DAYS_DEVICE_SESSIONS, false),
                new Table<>(Topics.TELEMETRY_1M, new RollupWriter(clickHouse, "telemetry_1m"), SinkConfig.RETENTION_DAYS_TELEMETRY_1M,
                        false),
                new Table<>(Topics.TELEMETRY_1H, new RollupWriter(clickHouse, "telemetry_1h"), SinkConfig.RETENTION_DAYS_TELEMETRY_1H,
                        false),
                new Table<>(Topics.ANOMALIES, new AnomalyWriter(clickHouse), SinkConfig.RETENTION_DAYS_ANOMALIES, false));
        List<Running> loops = new ArrayList<>();
        List<PartitionRetention.Rule> retentionRules = new ArrayList<>();
        for (Table<?> table : tables) {
            loops.add(startLoop(table, config, registry, deadLetters));
            retentionRules.add(new PartitionRetention.Rule(table.writer().table(), config.getInt(table.retentionDays())));
        }
        PartitionRetention retention = new PartitionRetention(new ClickHouseQueries(clickHouse), retentionRules, registry, schema.dialect());
        ScheduledExecutorService housekeeping = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "sink-retention");
            thread.setDaemon(true);
            return thread;
        });
        housekeeping.scheduleWithFixedDelay(retention::run, 0, config.getLong(SinkConfig.RETENTION_CHECK_INTERVAL_MS),
                TimeUnit.MILLISECONDS);
        OpsEndpoint ops = OpsEndpoint.start(config.getString(SinkConfig.OPS_HOST), config.getInt(SinkConfig.OPS_PORT),
                registry, () -> loops.stream().allMatch(running -> running.loop().healthy()));
        LOG.info("sink {} writing into ClickHouse at {}; health and metrics on port {}",
                config.instanceId(), clickHouse, ops.port());
        return new ClickHouseSink(loops, housekeeping, deadLetters, ops);
    }

    /**
     * Records ClickHouse refuses go to the dead-letter topic (source clickhouse-sink, the ClickHouse
     * error as reason and detail, the record's bytes), and from there into sluice.rejected. Waits for
     * Kafka: if it cannot take the letter, the batch is retried rather than the record lost.
     */
    private static <T> SinkLoop.Rejections<T> deadLetterer(KafkaProducer<byte[], byte[]> producer, Topic<String, T> topic,
                                                          TableWriter<T> writer) {
        return (record, reason, detail) -> {
            String deviceId = writer.deviceIdOf(record);
            DeadLetter letter = DeadLetters.of("clickhouse-sink", deviceId, "", reason, "sluice." + writer.table() + ": " + detail,
                    topic.encode(record), writer.receivedAtMs(record));
            producer.send(Topics.DEAD_LETTER.record(deviceId, letter)).get(30, TimeUnit.SECONDS);
        };
    }

    private static <T> Running startLoop(Table<T> table, SinkConfig config, PrometheusMeterRegistry registry,
                                         KafkaProducer<byte[], byte[]> deadLetters) {
        TableWriter<T> writer = table.writer();
        // A dead letter sluice.rejected refuses cannot become another dead letter: it is logged and counted.
        SinkLoop.Rejections<T> rejections = table.topic().equals(Topics.DEAD_LETTER) ? (letter, reason, detail) -> { }
                : deadLetterer(deadLetters, table.topic(), writer);
        KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerConfig(config, writer.table(), table.live()),
                new ByteArrayDeserializer(), new ByteArrayDeserializer());
        new KafkaClientMetrics(consumer).bindTo(registry);
        SinkLoop<T> loop = new SinkLoop<>(table.topic(), consumer, writer, new SinkMetrics(registry, writer.table()), config, rejections);
        Thread thread = new Thread(loop, "sink-" + writer.table());
        thread.setUncaughtExceptionHandler((t, error) -> {
            LOG.error("sink loop of {} failed; exiting so that a supervisor restarts the sink", writer.table(), error);
            Runtime.getRuntime().halt(1);
        });
        thread.start();
        LOG.info("writing {} into sluice.{}", table.topic().name(), writer.table());
        return new Running(loop, thread, writer);
    }

    /**
     * Each table has its own consumer group ({@code <kafka.group.id>-<table>}), so its offsets move on their own. A live
     * table (raw telemetry: every reading, and the latency users see) fetches in batches of at least 64 KiB or 50 ms:
     * one fetch request per record batch costs the broker and the sink more than the readings themselves.
     */
    static Map<String, Object> consumerConfig(SinkConfig config, String table, boolean live) {
        Map<String, Object> consumer = KafkaConnection.of(config).client(Map.of());
        consumer.put(ConsumerConfig.GROUP_ID_CONFIG, config.getString(SinkConfig.KAFKA_GROUP_ID) + "-" + table);
        consumer.put(ConsumerConfig.CLIENT_ID_CONFIG, "sluice-" + config.instanceId() + "-" + table);
        consumer.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        consumer.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        // Processors write in exactly-once transactions: read only what they committed.
        consumer.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        consumer.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000);
        if (live) {
            consumer.put(ConsumerConfig.FETCH_MIN_BYTES_CONFIG, 64 * 1024);
            consumer.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 50);
        }
        int sessionTimeoutMs = config.getInt(SinkConfig.KAFKA_SESSION_TIMEOUT_MS);
        consumer.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, sessionTimeoutMs);
        consumer.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, sessionTimeoutMs / 3);
        return consumer;
    }

    public int opsPort() {
        return ops.port();
    }

    @Override
    public void close() throws InterruptedException {
        housekeeping.shutdownNow();
        for (Running running : loops) {
            running.loop().stop();
        }
        for (Running running : loops) {
            running.thread().join(30_000);
            running.writer().close();
        }
        deadLetters.close(Duration.ofSeconds(10));
        ops.close();
    }
}
