package io.sluice.ops;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

import org.apache.kafka.clients.admin.NewTopic;

import io.sluice.schemas.kafka.Topics;

/**
 * Writes stack/kafka/create-topics.sh, the script docker-compose's {@code kafka-topics} service runs, from the one topic
 * list ({@link Topics#ALL}): each topic as the services create it ({@link Topics#newTopics}), on compose's single broker.
 * {@code ComposeKafkaTopicsTest} fails when the committed script differs; it rewrites it when run with
 * {@code -Dsluice.regenerate=true}.
 */
final class KafkaTopicsScript {

    static final String PATH = "stack/kafka/create-topics.sh";

    /** Compose runs one broker. */
    static final short REPLICATION_FACTOR = 1;

    private KafkaTopicsScript() {
    }

    static String text() {
        StringBuilder script = new StringBuilder();
        script.append("""
                #!/bin/sh
                # GENERATED from Topics.ALL (schemas/src/main/java/io/sluice/schemas/kafka/Topics.java): do not edit. Regenerate:
                #   mvn -B -q -pl ops test -Dtest=ComposeKafkaTopicsTest -Dsluice.regenerate=true
                # Creates every Sluice topic that does not exist yet, as the services would (docker-compose.yml's kafka-topics
                # service runs it in an apache/kafka container). BOOTSTRAP: the broker, kafka:19092 under compose.
                set -eu
                bootstrap="${BOOTSTRAP:-kafka:19092}"
                create() {
                    topic=$1
                    partitions=$2
                    shift 2
                    /opt/kafka/bin/kafka-topics.sh --bootstrap-server "$bootstrap" --create --if-not-exists \\
                        --replication-factor %d --partitions "$partitions" --topic "$topic" "$@"
                }
                # create NAME PARTITIONS [--config KEY=VALUE]...
                """.formatted(REPLICATION_FACTOR));
        for (NewTopic topic : Topics.newTopics(Topics.DEFAULT_PARTITIONS, REPLICATION_FACTOR)) {
            script.append("create ").append(topic.name()).append(' ').append(topic.numPartitions());
            Map<String, String> configs = new TreeMap<>(topic.configs());
            configs.forEach((key, value) -> script.append(" --config ").append(key).append('=').append(value));
            script.append('\n');
        }
        return script.toString();
    }

    static void write(Path root) throws IOException {
        Files.writeString(root.resolve(PATH), text(), StandardCharsets.UTF_8);
    }
}
