package io.sluice.testing;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/** Reads what landed on a Kafka topic, for assertions. */
public final class KafkaRecords {

    private KafkaRecords() {
    }

    /**
     * Every committed record of {@code topic}, from the beginning up to the end of each partition as it
     * is when called, decoded. Combine with {@link Await} for records that may still be on their way.
     */
    public static <V> List<V> readToEnd(String bootstrapServers, String topic, Function<byte[], V> decode) {
        return readRecordsToEnd(bootstrapServers, topic).stream().map(record -> decode.apply(record.value())).toList();
    }

    /**
     * The decoded records of {@code topic} that match, once there are at least {@code expected} of them
     * (read again until then, up to 10 s). A caller expecting none gets what is there at once.
     */
    public static <V> List<V> awaitMatching(String bootstrapServers, String topic, Function<byte[], V> decode,
                                            java.util.function.Predicate<V> matches, int expected) {
        return Await.until(expected + " matching records on " + topic, Duration.ofSeconds(10),
                () -> readToEnd(bootstrapServers, topic, decode).stream().filter(matches).toList(),
                found -> found.size() >= expected);
    }

    /** Like {@link #readToEnd}, but the records as they are: key, value, headers. */
    public static List<ConsumerRecord<byte[], byte[]>> readRecordsToEnd(String bootstrapServers, String topic) {
        List<ConsumerRecord<byte[], byte[]>> values = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (PartitionInfo info : consumer.partitionsFor(topic, Duration.ofSeconds(10))) {
                partitions.add(new TopicPartition(topic, info.partition()));
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, Duration.ofSeconds(10));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("could not read " + topic + " to its end within 30 s");
                }
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(100))) {
                    if (record.offset() < end.get(new TopicPartition(record.topic(), record.partition()))) {
                        values.add(record);
                    }
                }
            }
        }
        return values;
    }
}
