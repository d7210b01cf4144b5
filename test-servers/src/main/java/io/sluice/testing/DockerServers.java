package io.sluice.testing;

import org.testcontainers.DockerClientFactory;
import org.testcontainers.clickhouse.ClickHouseContainer;
import org.testcontainers.kafka.KafkaContainer;

/**
 * Kafka and a current ClickHouse from their official images, through Testcontainers. Only where a
 * Docker engine answers: {@link #unavailableReason()} says why not otherwise, for the test to print.
 */
public final class DockerServers implements PipelineServers {

    public static final String KAFKA_IMAGE = "apache/kafka:4.1.1";
    public static final String CLICKHOUSE_IMAGE = "clickhouse/clickhouse-server:25.8";

    private final KafkaContainer kafka;
    private final ClickHouseContainer clickHouse;

    private DockerServers(KafkaContainer kafka, ClickHouseContainer clickHouse) {
        this.kafka = kafka;
        this.clickHouse = clickHouse;
    }

    /** Null when Docker can run containers here; otherwise why it cannot. */
    public static String unavailableReason() {
        try {
            return DockerClientFactory.instance().isDockerAvailable() ? null
                    : "no Docker engine answers on this machine (the docker client alone cannot run containers)";
        } catch (RuntimeException e) {
            return "Docker is not usable here: " + e.getMessage();
        }
    }

    public static DockerServers start() {
        KafkaContainer kafka = new KafkaContainer(KAFKA_IMAGE);
        ClickHouseContainer clickHouse = new ClickHouseContainer(CLICKHOUSE_IMAGE);
        kafka.start();
        clickHouse.start();
        return new DockerServers(kafka, clickHouse);
    }

    @Override
    public String kafkaBootstrapServers() {
        return kafka.getBootstrapServers();
    }

    @Override
    public String clickHouseUrl() {
        return "http://" + clickHouse.getHost() + ":" + clickHouse.getMappedPort(8123);
    }

    @Override
    public String clickHouseUser() {
        return clickHouse.getUsername();
    }

    @Override
    public String clickHousePassword() {
        return clickHouse.getPassword();
    }

    @Override
    public String description() {
        return "containers (" + KAFKA_IMAGE + ", " + CLICKHOUSE_IMAGE + ")";
    }

    @Override
    public void close() {
        try {
            kafka.stop();
        } finally {
            clickHouse.stop();
        }
    }
}
