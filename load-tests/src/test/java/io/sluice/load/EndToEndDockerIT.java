package io.sluice.load;

import io.sluice.testing.DockerServers;
import io.sluice.testing.PipelineServers;

/**
 * The end-to-end contract on the official images (Kafka, current ClickHouse) through Testcontainers.
 * Where no Docker engine answers, every test is skipped with the reason, printed in the test output.
 */
class EndToEndDockerIT extends EndToEndContract {

    @Override
    String unavailableReason() {
        String reason = DockerServers.unavailableReason();
        return reason == null ? null : "containers " + DockerServers.KAFKA_IMAGE + " and " + DockerServers.CLICKHOUSE_IMAGE
                + " cannot run: " + reason;
    }

    @Override
    PipelineServers startServers() {
        return DockerServers.start();
    }
}
