package io.sluice.schemas.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;

class TopicsTest {

    private static NewTopic raw(short replication) {
        return Topics.newTopics(12, replication).stream().filter(t -> t.name().equals(Topics.TELEMETRY_RAW.name()))
                .findFirst().orElseThrow();
    }

    @Test
    void withThreeReplicasOrMoreTwoMustBeInSyncForAWrite() {
        assertEquals("2", raw((short) 3).configs().get("min.insync.replicas"));
        assertEquals("2", raw((short) 5).configs().get("min.insync.replicas"));
        assertEquals("1", raw((short) 1).configs().get("min.insync.replicas"), "one broker");
        assertEquals("1", raw((short) 2).configs().get("min.insync.replicas"), "two replicas: one may be down and writes go on");
    }

    @Test
    void theRawTopicKeepsItsRetentionBesideIt() {
        assertEquals(raw((short) 1).configs().get("retention.ms"), raw((short) 3).configs().get("retention.ms"));
    }
}
