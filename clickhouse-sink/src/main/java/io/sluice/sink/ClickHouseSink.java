package io.sluice.sink;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.sluice.runtime.KafkaTopicsBootstrap;
import io.sluice.runtime.OpsEndpoint;
import io.sluice.runtime.ServiceMetrics;
import io.sluice.schemas.kafka.Topics;

/**
 * One running sink: migrates ClickHouse, then runs the {@link TelemetrySinkLoop} on its own thread,
 * with a health and metrics endpoint. Ready while its inserts succeed.
 */
public final class ClickHouseSink implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ClickHouseSink.class);

    private final TelemetrySinkLoop loop;
    private final Thread thread;
    private final TelemetryWriter writer;
    private final OpsEndpoint ops;

    private ClickHouseSink(TelemetrySinkLoop loop, Thread thread, TelemetryWriter writer, OpsEndpoint ops) {
        this.loop = loop;
        this.thread = thread;
        this.writer = writer;
        this.ops = ops;
    }

    public static ClickHouseSink start(SinkConfig config) throws Exception {
        ClickHouseEndpoint clickHouse = config.clickHouse();
        int applied = ClickHouseMigrator.migrate(clickHouse);
        LOG.info("ClickHouse at {} is up to date ({} migrations applied now)", clickHouse, applied);
        String bootstrap = config.getString(SinkConfig.KAFKA_BOOTSTRAP_SERVERS);
        KafkaTopicsBootstrap.ensure(bootstrap, List.of(Topics.TELEMETRY.newTopic(
                config.getInt(SinkConfig.KAFKA_TOPIC_PARTITIONS), config.getShort(SinkConfig.KAFKA_TOPIC_REPLICATION))), 30_000);

        PrometheusMeterRegistry registry = ServiceMetrics.registry("clickhouse-sink", config.getString(SinkConfig.INSTANCE_ID));

        KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerConfig(config),
                new ByteArrayDeserializer(), new ByteArrayDeserializer());
        new KafkaClientMetrics(consumer).bindTo(registry);
        TelemetryWriter writer = new JdbcTelemetryWriter(clickHouse);
        TelemetrySinkLoop loop = new TelemetrySinkLoop(consumer, writer, new SinkMetrics(registry), config);
        Thread thread = new Thread(loop, "clickhouse-sink");
        thread.setUncaughtExceptionHandler((t, error) -> {
            LOG.error("sink loop failed; exiting so that a supervisor restarts it", error);
            Runtime.getRuntime().halt(1);
        });
        thread.start();
        OpsEndpoint ops = OpsEndpoint.start(config.getString(SinkConfig.OPS_HOST), config.getInt(SinkConfig.OPS_PORT),
                registry, loop::healthy);
        LOG.info("sink {} writing {} into ClickHouse at {}; health and metrics on port {}",
                config.getString(SinkConfig.INSTANCE_ID), Topics.TELEMETRY.name(), clickHouse, ops.port());
        return new ClickHouseSink(loop, thread, writer, ops);
    }

    static Map<String, Object> consumerConfig(SinkConfig config) {
        Map<String, Object> consumer = new HashMap<>();
        consumer.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.getString(SinkConfig.KAFKA_BOOTSTRAP_SERVERS));
        consumer.put(ConsumerConfig.GROUP_ID_CONFIG, config.getString(SinkConfig.KAFKA_GROUP_ID));
        consumer.put(ConsumerConfig.CLIENT_ID_CONFIG, "sluice-" + config.getString(SinkConfig.INSTANCE_ID));
        consumer.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        consumer.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        // Processors write in exactly-once transactions: read only what they committed.
        consumer.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        consumer.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000);
        return consumer;
    }

    public int opsPort() {
        return ops.port();
    }

    @Override
    public void close() throws InterruptedException {
        loop.stop();
        thread.join(30_000);
        writer.close();
        ops.close();
    }
}
