package io.sluice.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.kafka.common.config.TopicConfig;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.sluice.schemas.kafka.Topic;
import io.sluice.schemas.kafka.Topics;

/**
 * docker-compose creates every topic of the one topic list, as it is defined there: the script it runs is generated from
 * {@link Topics} ({@link KafkaTopicsScript}), and read back here line by line against {@link Topics#ALL}.
 */
class ComposeKafkaTopicsTest {

    private static final Pattern CREATE = Pattern.compile("create (\\S+) (\\d+)((?: --config [a-z.]+=\\S+)*)");

    @Test
    void theCommittedScriptIsWhatTheTopicListSays() throws IOException {
        if (Boolean.getBoolean("sluice.regenerate")) {
            KafkaTopicsScript.write(ComposeFile.ROOT);
        }
        assertEquals(KafkaTopicsScript.text(), ComposeFile.read(KafkaTopicsScript.PATH),
                KafkaTopicsScript.PATH + " differs from Topics.java; regenerate: mvn -B -q -pl ops test"
                        + " -Dtest=ComposeKafkaTopicsTest -Dsluice.regenerate=true");
    }

    @Test
    void theScriptCreatesEveryTopicWithItsPartitionsAndRetention() {
        Map<String, Matcher> created = new TreeMap<>();
        for (String line : ComposeFile.read(KafkaTopicsScript.PATH).split("\n")) {
            if (line.startsWith("create ")) {
                Matcher m = CREATE.matcher(line);
                assertTrue(m.matches(), "create NAME PARTITIONS [--config K=V]...: " + line);
                created.put(m.group(1), m);
            }
        }
        List<String> names = new ArrayList<>();
        for (Topic<?, ?> topic : Topics.ALL) {
            names.add(topic.name());
            Matcher line = created.get(topic.name());
            assertTrue(line != null, "the script creates " + topic.name());
            assertEquals(Topics.DEFAULT_PARTITIONS, Integer.parseInt(line.group(2)), topic.name() + " partitions");
            for (Map.Entry<String, String> config : topic.configs().entrySet()) {
                assertTrue(line.group(3).contains(" --config " + config.getKey() + "=" + config.getValue()),
                        topic.name() + " " + config.getKey() + "=" + config.getValue() + ": " + line.group());
            }
            assertTrue(line.group(3).contains(" --config " + TopicConfig.RETENTION_MS_CONFIG + "="), topic.name() + " retention");
        }
        assertEquals(new TreeMap<>(created).keySet(), new java.util.TreeSet<>(names), "every topic of Topics.ALL, and no other");
        assertTrue(names.size() >= 6, "the topic list: " + names);
    }

    @Test
    void composeRunsTheScriptBeforeTheServicesStart() {
        JsonNode topics = ComposeFile.service("kafka-topics");
        String[] mount = ComposeFile.mountOf(topics, "./" + KafkaTopicsScript.PATH)
                .orElseThrow(() -> new AssertionError("kafka-topics mounts " + KafkaTopicsScript.PATH));
        assertEquals("ro", mount.length == 3 ? mount[2] : "", "mounted read-only");
        List<String> command = new ArrayList<>();
        topics.path("entrypoint").forEach(a -> command.add(a.asText()));
        topics.path("command").forEach(a -> command.add(a.asText()));
        assertEquals(List.of("/bin/sh", mount[1]), command, "kafka-topics runs the mounted script, and nothing typed in");
        assertEquals("kafka:19092", ComposeFile.environment(topics).get("BOOTSTRAP"), "the broker's internal listener");
        for (ComposeFile.SluiceService sluice : ComposeFile.SLUICE_SERVICES) {
            String name = ComposeFile.serviceBuilding(sluice.target());
            assertEquals("service_completed_successfully",
                    ComposeFile.service(name).path("depends_on").path("kafka-topics").path("condition").asText(),
                    name + " starts once every topic exists");
        }
    }
}
