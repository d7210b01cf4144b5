package io.sluice.processor;

import java.time.Duration;
import java.util.List;

import org.apache.kafka.streams.KafkaStreams;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.sluice.runtime.KafkaTopicsBootstrap;
import io.sluice.runtime.OpsEndpoint;
import io.sluice.runtime.ServiceMetrics;
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
        KafkaTopicsBootstrap.ensure(config.getString(ProcessorConfig.KAFKA_BOOTSTRAP_SERVERS),
                List.of(Topics.TELEMETRY_RAW.newTopic(partitions, replication), Topics.TELEMETRY.newTopic(partitions, replication),
                        Topics.DEAD_LETTER.newTopic(partitions, replication)),
                30_000);

        PrometheusMeterRegistry registry = ServiceMetrics.registry("stream-processor", config.getString(ProcessorConfig.INSTANCE_ID));

        KafkaStreams streams = new KafkaStreams(TelemetryTopology.build(config), config.streamsProperties());
        streams.setUncaughtExceptionHandler(error -> {
            LOG.error("stream thread failed; replacing it", error);
            return org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
        });
        streams.setStateListener((now, before) -> LOG.info("Kafka Streams state {} -> {}", before, now));
        KafkaStreamsMetrics streamsMetrics = new KafkaStreamsMetrics(streams);
        streamsMetrics.bindTo(registry);
        streams.start();
        OpsEndpoint ops = OpsEndpoint.start(config.getString(ProcessorConfig.OPS_HOST), config.getInt(ProcessorConfig.OPS_PORT),
                registry, () -> streams.state() == KafkaStreams.State.RUNNING);
        LOG.info("processor {} of {} started; health and metrics on port {}", config.getString(ProcessorConfig.INSTANCE_ID),
                config.getString(ProcessorConfig.APPLICATION_ID), ops.port());
        return new StreamProcessor(streams, streamsMetrics, ops);
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
