package io.sluice.runtime;

import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates the topics a service needs when they do not exist yet. Safe when several services start
 * at once: a topic another one created first is fine.
 */
public final class KafkaTopicsBootstrap {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaTopicsBootstrap.class);

    private KafkaTopicsBootstrap() {
    }

    public static void ensure(String bootstrapServers, Collection<NewTopic> topics, long timeoutMs) {
        ensure(KafkaConnection.of(bootstrapServers), topics, timeoutMs);
    }

    public static void ensure(KafkaConnection kafka, Collection<NewTopic> topics, long timeoutMs) {
        String bootstrapServers = kafka.bootstrapServers();
        try (Admin admin = Admin.create(kafka.client(Map.of(
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeoutMs)))) {
            admin.createTopics(topics).values().forEach((name, future) -> {
                try {
                    future.get(timeoutMs, TimeUnit.MILLISECONDS);
                    LOG.info("created topic {}", name);
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw new IllegalStateException("cannot create topic " + name + ": " + e.getCause().getMessage(), e.getCause());
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while creating topic " + name, e);
                } catch (TimeoutException e) {
                    throw new IllegalStateException("Kafka at " + bootstrapServers + " did not create topic " + name
                            + " within " + timeoutMs + " ms", e);
                }
            });
            awaitLeadersWithLogs(admin, topics.stream().map(NewTopic::name).toList(), timeoutMs);
        }
    }

    /**
     * Waits until the leader of every partition answers for its log. A just-created topic is in the
     * metadata a little before its leaders have created their logs; an idempotent producer writing in
     * that gap has its first batch refused and retried while a later one is accepted, and that partition
     * then fails with OUT_OF_ORDER_SEQUENCE_NUMBER until the delivery timeout (seen on a fresh broker).
     */
    private static void awaitLeadersWithLogs(Admin admin, List<String> topics, long timeoutMs) {
        long deadline = System.currentTimeMillis() + timeoutMs;
        while (true) {
            try {
                Map<TopicPartition, OffsetSpec> partitions = new HashMap<>();
                for (TopicDescription topic : admin.describeTopics(topics).allTopicNames().get(timeoutMs, TimeUnit.MILLISECONDS)
                        .values()) {
                    for (TopicPartitionInfo partition : topic.partitions()) {
                        partitions.put(new TopicPartition(topic.name(), partition.partition()), OffsetSpec.latest());
                    }
                }
                admin.listOffsets(partitions).all().get(timeoutMs, TimeUnit.MILLISECONDS);
                return;
            } catch (ExecutionException | TimeoutException e) {
                if (System.currentTimeMillis() > deadline) {
                    throw new IllegalStateException("the partitions of " + topics + " have no leader with a log after "
                            + timeoutMs + " ms: " + e.getMessage(), e);
                }
                sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for the partitions of " + topics, e);
            }
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
