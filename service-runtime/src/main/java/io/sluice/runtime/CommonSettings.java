package io.sluice.runtime;

import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;

/** The settings every Sluice service has: where Kafka is, how it creates topics, where its ops endpoint listens. */
public final class CommonSettings {

    public static final String KAFKA_BOOTSTRAP_SERVERS = "kafka.bootstrap.servers";
    public static final String KAFKA_TOPIC_PARTITIONS = "kafka.topic.partitions";
    public static final String KAFKA_TOPIC_REPLICATION = "kafka.topic.replication.factor";
    public static final String OPS_HOST = "ops.host";
    public static final String OPS_PORT = "ops.port";

    private CommonSettings() {
    }

    /** Adds the Kafka settings; {@code defaultPartitions} is the partition count of topics the service creates. */
    public static ConfigDef withKafka(ConfigDef definition, int defaultPartitions) {
        return definition
                .define(KAFKA_BOOTSTRAP_SERVERS, Type.STRING, "127.0.0.1:9092", new ConfigDef.NonEmptyString(), Importance.HIGH,
                        "Kafka brokers, host:port[,host:port].")
                .define(KAFKA_TOPIC_PARTITIONS, Type.INT, defaultPartitions, Range.between(1, 10_000), Importance.LOW,
                        "Partitions of the topics when this service has to create them (the ceiling on replicas).")
                .define(KAFKA_TOPIC_REPLICATION, Type.SHORT, (short) 1, Range.between(1, 16), Importance.LOW,
                        "Replication factor of the topics when this service has to create them.");
    }

    /** Adds the settings of the health and metrics endpoint. */
    public static ConfigDef withOps(ConfigDef definition, int defaultPort) {
        return definition
                .define(OPS_HOST, Type.STRING, "0.0.0.0", Importance.LOW, "Address of the health and metrics HTTP endpoint.")
                .define(OPS_PORT, Type.INT, defaultPort, Range.between(0, 65535), Importance.MEDIUM,
                        "Port of the health (/health/live, /health/ready) and metrics (/metrics) HTTP endpoint; 0 picks a free one.");
    }
}
