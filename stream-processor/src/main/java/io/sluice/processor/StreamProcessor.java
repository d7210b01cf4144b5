package io.sluice.processor;

import java.io.File;
import java.nio.file.Files;
import java.time.Duration;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Executors;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.streams.TaskMetadata;
import org.apache.kafka.streams.ThreadMetadata;

import org.apache.kafka.streams.KafkaStreams;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.binder.system.DiskSpaceMetrics;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.sluice.runtime.KafkaConnection;
import io.sluice.runtime.KafkaTopicsBootstrap;
import io.sluice.runtime.OpsEndpoint;
import io.sluice.runtime.ServiceMetrics;
import io.sluice.processor.anomaly.DetectionRules;
import io.sluice.processor.anomaly.RulesException;
import io.sluice.schemas.kafka.Topics;

/** One running processor replica: the Kafka Streams application and its health and metrics endpoint. */
public final class StreamProcessor implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(StreamProcessor.class);

    private final KafkaStreams streams;
    private final KafkaStreamsMetrics streamsMetrics;
    private final OpsEndpoint ops;

    private StreamProcessor(KafkaStreams streams, KafkaStreamsMetrics streamsMetrics, OpsEndpoint ops) {
        this.streams = streams;
        this.streamsMetrics = streamsMetrics;
        this.ops = ops;
    }

    public static StreamProcessor start(ProcessorConfig config) throws Exception {
        int partitions = config.getInt(ProcessorConfig.KAFKA_TOPIC_PARTITIONS);
        short replication = config.getShort(ProcessorConfig.KAFKA_TOPIC_REPLICATION);
        DetectionRules rules = rules(config);
        KafkaTopicsBootstrap.ensure(KafkaConnection.of(config), Topics.newTopics(partitions, replication), 30_000);

        PrometheusMeterRegistry registry = ServiceMetrics.registry("stream-processor", config.instanceId());
        File stateDir = new File(config.getString(ProcessorConfig.STATE_DIR));
        Files.createDirectories(stateDir.toPath());
        new DiskSpaceMetrics(stateDir).bindTo(registry); // disk_free_bytes: the state stores' disk (SluiceStateDiskLow)
        PartitionActivity[] activity = new PartitionActivity[1];
        activity[0] = new PartitionActivity(partition -> FunctionCounter.builder("sluice.processor.partition.readings",
                        activity, a -> a[0].readings(partition))
                .description("Readings this replica took from a partition of the raw topic")
                .tag("partition", Integer.toString(partition))
                .register(registry));

        KafkaStreams streams = new KafkaStreams(TelemetryTopology.build(config, rules, activity[0]), config.streamsProperties());
        Gauge.builder("sluice.processor.assigned.partitions", streams, s -> rawPartitions(s, false).size())
                .description("Partitions of the raw topic this replica processes (active tasks)")
                .register(registry);
        Gauge.builder("sluice.processor.standby.partitions", streams, s -> rawPartitions(s, true).size())
                .description("Partitions of the raw topic this replica keeps a warm standby copy of")
                .register(registry);
        for (int p = 0; p < partitions; p++) {
            int partition = p;
            Gauge.builder("sluice.processor.partition.assigned", streams, s -> rawPartitions(s, false).contains(partition) ? 1 : 0)
                    .description("1 when this replica processes the raw topic's partition")
                    .tag("partition", Integer.toString(partition))
                    .register(registry);
        }
        streams.setUncaughtExceptionHandler(error -> {
            LOG.error("stream thread failed; replacing it", error);
            return org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
        });
        streams.setStateListener((now, before) -> LOG.info("Kafka Streams state {} -> {}", before, now));
        // Kafka Streams adds metrics as tasks come (the processors' own sensors among them): looked for every 10 s, not
        // Micrometer's default minute, so that a replica's counters reach Prometheus soon after it takes a partition.
        KafkaStreamsMetrics streamsMetrics = new KafkaStreamsMetrics(streams, List.of(), Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "kafka-metrics-refresh");
            thread.setDaemon(true);
            return thread;
        }), Duration.ofSeconds(10));
        streamsMetrics.bindTo(registry);
        streams.start();
        OpsEndpoint ops = OpsEndpoint.start(config.getString(ProcessorConfig.OPS_HOST), config.getInt(ProcessorConfig.OPS_PORT),
                registry, () -> streams.state() == KafkaStreams.State.RUNNING);
        LOG.info("processor {} of {} started; health and metrics on port {}", config.instanceId(),
                config.getString(ProcessorConfig.APPLICATION_ID), ops.port());
        return new StreamProcessor(streams, streamsMetrics, ops);
    }

    private static DetectionRules rules(ProcessorConfig config) {
        String file = config.getString(ProcessorConfig.RULES_FILE);
        if (file.isBlank()) {
            LOG.info("anomaly rules: the built-in defaults (no rules.file)");
            return DetectionRules.defaults();
        }
        try {
            DetectionRules rules = DetectionRules.load(Path.of(file));
            LOG.info("anomaly rules loaded from {}", file);
            return rules;
        } catch (RulesException e) {
            throw new ConfigException(e.getMessage());
        }
    }

    /** The raw topic's partitions this replica's threads hold, as active tasks or as standbys. */
    static Set<Integer> rawPartitions(KafkaStreams streams, boolean standby) {
        Set<Integer> partitions = new TreeSet<>();
        try {
            for (ThreadMetadata thread : streams.metadataForLocalThreads()) {
                for (TaskMetadata task : standby ? thread.standbyTasks() : thread.activeTasks()) {
                    for (TopicPartition partition : task.topicPartitions()) {
                        if (partition.topic().equals(Topics.TELEMETRY_RAW.name())) {
                            partitions.add(partition.partition());
                        }
                    }
                }
            }
        } catch (RuntimeException e) {
            // Not running (starting, rebalancing, closed): nothing assigned to report.
        }
        return partitions;
    }

    public KafkaStreams.State state() {
        return streams.state();
    }

    public int opsPort() {
        return ops.port();
    }

    @Override
    public void close() {
        streams.close(Duration.ofSeconds(30));
        streamsMetrics.close();
        ops.close();
    }
}
