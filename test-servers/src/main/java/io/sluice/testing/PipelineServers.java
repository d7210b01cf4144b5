package io.sluice.testing;

/**
 * The servers the pipeline stands on, Kafka and ClickHouse, for an integration test. The same test
 * runs on {@link LocalServers} (real servers on this machine, always) and on {@link DockerServers}
 * (official images, where a Docker engine exists).
 */
public interface PipelineServers extends AutoCloseable {

    String kafkaBootstrapServers();

    String clickHouseUrl();

    String clickHouseUser();

    String clickHousePassword();

    /** What these servers are, for test names and failure messages. */
    String description();
}
