package io.sluice.load;

import io.sluice.testing.LocalServers;
import io.sluice.testing.PipelineServers;

/** The end-to-end contract on this machine's real servers: in-process Kafka and clickhouse-server 18.16. */
class EndToEndLocalIT extends EndToEndContract {

    @Override
    String unavailableReason() {
        return null;
    }

    @Override
    PipelineServers startServers() throws Exception {
        return LocalServers.start();
    }
}
