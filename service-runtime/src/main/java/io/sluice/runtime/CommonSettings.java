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
    public static final String KAFKA_SESSION_TIMEOUT_MS = "kafka.session.timeout.ms";

    private CommonSettings() {
    }

    /**
     * The name a replica goes by in logs, metrics and Kafka client ids: the configured one, or, when empty (the default),
     * the host name, so that replicas scaled from one definition (compose, a Kubernetes Deployment) stay apart.
     */
    public static String replicaName(String configured) {
        return configured.isBlank() ? HostName.VALUE : configured;
    }

    /** The host name, looked up once: a name lookup can be slow on a badly configured host, and the answer does not change. */
    private static final class HostName {
        static final String VALUE = lookUp();

        private static String lookUp() {
            String host = System.getenv("HOSTNAME");
            if (host != null && !host.isBlank()) {
                return host;
            }
            try {
                return java.net.InetAddress.getLocalHost().getHostName();
            } catch (java.io.IOException e) {
                return "localhost";
            }
        }
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

    /** Adds how long a member of a consumer group (a processor replica, a sink) that died keeps its partitions. */
    public static ConfigDef withGroupMembership(ConfigDef definition) {
        return definition
                .define(KAFKA_SESSION_TIMEOUT_MS, Type.INT, 10_000, Range.between(6_000, 300_000), Importance.LOW,
                        "How long a member that died (killed, machine lost) keeps its partitions before the others take them"
                                + " over; Kafka's own default, 45 s, is a long stall for a pipeline.");
    }
}
