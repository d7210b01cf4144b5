package io.sluice.load;

import org.junit.jupiter.api.Assumptions;

import io.sluice.testing.DockerServers;
import io.sluice.testing.PipelineServers;

/**
 * The end-to-end contract on the official images (Kafka, current ClickHouse) through Testcontainers.
 * Where no Docker engine answers, every test is skipped and the reason is printed.
 */
class EndToEndDockerIT extends EndToEndContract {

    @Override
    PipelineServers startServers() {
        String unavailable = DockerServers.unavailableReason();
        if (unavailable != null) {
            System.out.println("SKIPPED EndToEndDockerIT (containers: " + DockerServers.KAFKA_IMAGE + ", "
                    + DockerServers.CLICKHOUSE_IMAGE + "): " + unavailable);
        }
        Assumptions.assumeTrue(unavailable == null, unavailable);
        return DockerServers.start();
    }
}
