package io.sluice.bridge;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.sluice.schemas.avro.DeviceSession;
import io.sluice.schemas.kafka.Topics;

/**
 * One session per client id across the bridges, not only within one (as EMQX's cluster-wide client id registry): every
 * bridge reads the sessions topic (all its partitions, from their end when the bridge starts, no consumer group) and,
 * when another bridge announces a connection of a client id this bridge holds, closes its own (MQTT 5: DISCONNECT
 * 0x8E, session taken over) if its own announcement came first. Both announcements are keyed by the device, so they
 * share a partition, whose order decides, not the bridges' clocks: the later connection stays, wherever it is. Two
 * devices racing for one client id on two bridges leave exactly one session. A connection whose announcement Kafka did
 * not take (already counted as a lost session event) is not closed this way; nor while this reader cannot reach Kafka.
 */
final class ClusterSessions implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ClusterSessions.class);
    private static final Duration POLL = Duration.ofMillis(500);

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final String bridgeId;
    private final ConnectionRegistry connections;
    private final Thread reader;
    private volatile boolean running = true;

    ClusterSessions(Map<String, Object> consumerConfig, String bridgeId, ConnectionRegistry connections) {
        this.consumer = new KafkaConsumer<>(consumerConfig, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        this.bridgeId = bridgeId;
        this.connections = connections;
        List<TopicPartition> partitions = consumer.partitionsFor(Topics.DEVICE_SESSIONS.name(), Duration.ofSeconds(30)).stream()
                .map(info -> new TopicPartition(info.topic(), info.partition())).toList();
        consumer.assign(partitions);
        consumer.seekToEnd(partitions);
        partitions.forEach(consumer::position); // the end as of now, before any device connects here
        this.reader = new Thread(this::read, "cluster-sessions");
        reader.setDaemon(true);
        reader.start();
    }

    /** The consumer's settings: the bridge's Kafka connection, no group (every bridge reads every partition). */
    static Map<String, Object> consumerConfig(Map<String, Object> connection, String bridgeId) {
        Map<String, Object> config = new java.util.HashMap<>(connection);
        config.put(ConsumerConfig.CLIENT_ID_CONFIG, "sluice-" + bridgeId + "-sessions");
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
        config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2000);
        return config;
    }

    private void read() {
        while (running) {
            try {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(POLL)) {
                    DeviceSession event = decode(record);
                    if (event != null && "CONNECTED".equals(event.getEvent())) {
                        announced(event);
                    }
                }
            } catch (WakeupException e) {
                return;
            } catch (RuntimeException e) {
                LOG.warn("reading the sessions topic failed, trying again: {}", e.toString());
                sleepQuietly();
            }
        }
    }

    /** A connection announced in the topic, in the topic's order. */
    private void announced(DeviceSession event) {
        DeviceConnection local = connections.byClientId(event.getClientId());
        if (local == null) {
            return;
        }
        if (bridgeId.equals(event.getBridgeId()) && event.getTsMs() == local.connectedAtMs()) {
            local.announcedInCluster();
        } else if (local.isAnnouncedInCluster()) {
            // Announced after this bridge's connection: another bridge's, or one of the same name (its own older
            // connections come before, in the topic's order).
            LOG.debug("client '{}' connected to bridge {} after connecting here: taken over", event.getClientId(), event.getBridgeId());
            local.takenOver();
        }
    }

    private static DeviceSession decode(ConsumerRecord<byte[], byte[]> record) {
        try {
            return Topics.DEVICE_SESSIONS.value(record);
        } catch (RuntimeException e) {
            return null; // not a session event Sluice wrote: nothing to act on
        }
    }

    private void sleepQuietly() {
        try {
            Thread.sleep(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        }
    }

    @Override
    public void close() {
        running = false;
        consumer.wakeup();
        try {
            reader.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        consumer.close(Duration.ofSeconds(5));
    }
}
