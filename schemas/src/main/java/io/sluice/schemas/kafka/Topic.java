package io.sluice.schemas.kafka;

import java.util.Map;
import java.util.Objects;

import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.Serde;

/**
 * One Kafka topic as Sluice uses it: its name, the serdes of its keys and values, and how it is
 * created. Immutable; every topic is defined once, in {@link Topics}. Records are built and read
 * through it ({@link #record}, {@link #value}), so that no producer or consumer pairs a topic's name
 * with a serde of its own choosing.
 */
public record Topic<K, V>(String name, Serde<K> keySerde, Serde<V> valueSerde, Map<String, String> configs) {

    public Topic {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(keySerde, "keySerde");
        Objects.requireNonNull(valueSerde, "valueSerde");
        configs = Map.copyOf(configs);
    }

    /**
     * The topic as it is created on a cluster, with the given partition count and replication factor. With three
     * replicas or more, a write needs two in sync ({@code min.insync.replicas=2}): with acks=all, an acknowledged record
     * is then on two brokers before the device hears of it, and one broker lost loses nothing.
     */
    public NewTopic newTopic(int partitions, short replicationFactor) {
        java.util.Map<String, String> created = new java.util.HashMap<>(configs);
        if (replicationFactor >= 3) {
            created.put(org.apache.kafka.common.config.TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, "2");
        }
        return new NewTopic(name, partitions, replicationFactor).configs(created);
    }

    /** A record for this topic, its key and value encoded with the topic's serdes. */
    public ProducerRecord<byte[], byte[]> record(K key, V value) {
        return new ProducerRecord<>(name, encodeKey(key), encode(value));
    }

    /** A record for this topic with headers (the Kafka timestamp is the producer's). */
    public ProducerRecord<byte[], byte[]> record(K key, V value, Iterable<Header> headers) {
        return new ProducerRecord<>(name, null, encodeKey(key), encode(value), headers);
    }

    /** A record for this topic with its own Kafka timestamp. */
    public ProducerRecord<byte[], byte[]> record(K key, V value, long timestampMs) {
        return new ProducerRecord<>(name, null, timestampMs, encodeKey(key), encode(value));
    }

    /** The value of a record read from this topic. */
    public V value(ConsumerRecord<byte[], byte[]> record) {
        return decode(record.value());
    }

    public byte[] encodeKey(K key) {
        return keySerde.serializer().serialize(name, key);
    }

    public byte[] encode(V value) {
        return valueSerde.serializer().serialize(name, value);
    }

    public V decode(byte[] bytes) {
        return valueSerde.deserializer().deserialize(name, bytes);
    }
}
