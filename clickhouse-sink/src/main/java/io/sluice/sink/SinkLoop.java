package io.sluice.sink;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.sluice.schemas.kafka.Topic;

/**
 * One thread of the sink, for one topic and its table: polls records from Kafka, batches them by
 * rows, bytes and age, writes each batch with the {@link TableWriter}, and only then commits the batch's
 * offsets. A failed write keeps the batch, pauses every partition (so nothing more piles up in
 * memory) and retries with capped exponential backoff and jitter; a crash before the commit
 * re-reads the batch, whose rows the table's natural key deduplicates.
 */
final class SinkLoop<T> implements Runnable {

    /** Where a record whose rows ClickHouse refuses goes (a dead letter); throwing makes the batch retry. */
    interface Rejections<T> {
        void reject(T record, String reason, String detail) throws Exception;
    }

    private static final Logger LOG = LoggerFactory.getLogger(SinkLoop.class);
    private static final Duration POLL = Duration.ofMillis(100);

    private final Topic<String, T> topic;
    private final Consumer<byte[], byte[]> consumer;
    private final TableWriter<T> writer;
    private final SinkMetrics metrics;
    private final Rejections<T> rejections;
    private final int maxRows;
    private final long maxBytes;
    private final long maxAgeMs;
    private final long backoffMs;
    private final long backoffMaxMs;

    private final List<T> batch = new ArrayList<>();
    private final Map<TopicPartition, OffsetAndMetadata> batchOffsets = new HashMap<>();
    private int batchRows;
    private long batchBytes;
    private long batchStartedMs;
    private int failures;
    private long retryAtMs;
    private volatile boolean running = true;
    private volatile boolean healthy = true;

    SinkLoop(Topic<String, T> topic, Consumer<byte[], byte[]> consumer, TableWriter<T> writer, SinkMetrics metrics,
             SinkConfig config, Rejections<T> rejections) {
        this.topic = topic;
        this.rejections = rejections;
        this.consumer = consumer;
        this.writer = writer;
        this.metrics = metrics;
        this.maxRows = config.getInt(SinkConfig.BATCH_MAX_ROWS);
        this.maxBytes = config.getLong(SinkConfig.BATCH_MAX_BYTES);
        this.maxAgeMs = config.getLong(SinkConfig.BATCH_MAX_AGE_MS);
        this.backoffMs = config.getLong(SinkConfig.RETRY_BACKOFF_MS);
        this.backoffMaxMs = config.getLong(SinkConfig.RETRY_BACKOFF_MAX_MS);
    }

    /** Whether the last write succeeded (or none failed yet). */
    boolean healthy() {
        return healthy;
    }

    void stop() {
        running = false;
        consumer.wakeup();
    }

    @Override
    public void run() {
        consumer.subscribe(List.of(topic.name()), new FlushOnRevoke());
        try {
            while (running) {
                if (failures > 0) {
                    consumer.pause(consumer.assignment());
                }
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(POLL)) {
                    add(record);
                }
                long now = System.currentTimeMillis();
                boolean due = batchRows >= maxRows || batchBytes >= maxBytes
                        || (!batch.isEmpty() && now - batchStartedMs >= maxAgeMs);
                if (due && now >= retryAtMs) {
                    flush();
                }
            }
        } catch (WakeupException e) {
            if (running) {
                throw e;
            }
        } finally {
            if (!batch.isEmpty()) {
                flush();
            }
            consumer.close(Duration.ofSeconds(10));
        }
    }

    private void add(ConsumerRecord<byte[], byte[]> record) {
        TopicPartition partition = new TopicPartition(record.topic(), record.partition());
        batchOffsets.put(partition, new OffsetAndMetadata(record.offset() + 1));
        T value;
        try {
            value = topic.value(record);
        } catch (SerializationException e) {
            metrics.poison();
            LOG.error("skipping undecodable record at {} offset {}: {}", partition, record.offset(), e.getMessage());
            return;
        }
        if (value == null) {
            return;
        }
        if (batch.isEmpty()) {
            batchStartedMs = System.currentTimeMillis();
        }
        batch.add(value);
        batchRows += writer.rowsOf(value);
        batchBytes += record.value().length;
    }

    /** Writes the batch and commits its offsets; on failure keeps both for a retry. Returns whether it wrote. */
    private boolean flush() {
        long start = System.nanoTime();
        try {
            int rows = writeIsolatingPoison(batch);
            metrics.inserted(rows, System.nanoTime() - start);
            long now = System.currentTimeMillis();
            for (T value : batch) {
                metrics.endToEnd(now - writer.receivedAtMs(value));
            }
        } catch (Exception e) {
            failures++;
            healthy = false;
            metrics.insertFailed();
            InsertFailures.Classified failure = InsertFailures.classify(e);
            long wait = Math.min(backoffMaxMs, backoffMs << Math.min(failures - 1, 20));
            wait = wait / 2 + ThreadLocalRandom.current().nextLong(wait / 2 + 1);
            retryAtMs = System.currentTimeMillis() + wait;
            LOG.warn("insert of {} rows into {} failed ({}, attempt {}), retrying in {} ms with partitions paused: {}",
                    batchRows, writer.table(), failure.reason(), failures, wait, e.toString());
            return false;
        }
        try {
            consumer.commitSync(batchOffsets);
        } catch (RuntimeException e) {
            // The rows are durable; whoever reads these offsets again writes rows the natural key collapses.
            LOG.warn("rows inserted but offsets not committed ({}); they will be re-read and deduplicated", e.toString());
        }
        if (failures > 0) {
            LOG.info("insert into {} succeeded after {} failed attempts; resuming partitions", writer.table(), failures);
            consumer.resume(consumer.paused());
        }
        failures = 0;
        retryAtMs = 0;
        healthy = true;
        batch.clear();
        batchOffsets.clear();
        batchRows = 0;
        batchBytes = 0;
        return true;
    }

    /**
     * Writes the records. When ClickHouse refuses rows for their content ({@link InsertFailures}), the
     * batch is split in halves, down to the records it refuses, which are rejected (dead-lettered with
     * the reason) while every other record is written. A retriable failure is thrown for the whole batch
     * to be retried; halves already written are written again then, and collapse by their natural key.
     */
    private int writeIsolatingPoison(List<T> records) throws Exception {
        try {
            return writer.write(records);
        } catch (Exception e) {
            InsertFailures.Classified failure = InsertFailures.classify(e);
            if (failure.kind() == InsertFailures.Kind.RETRIABLE) {
                throw e;
            }
            if (records.size() == 1) {
                rejections.reject(records.get(0), failure.reason(), InsertFailures.detail(e));
                metrics.poison();
                LOG.error("sluice.{} refuses a record ({}): dead-lettered, the rest of the batch goes on: {}", writer.table(),
                        failure.reason(), InsertFailures.detail(e));
                return 0;
            }
            int half = records.size() / 2;
            return writeIsolatingPoison(records.subList(0, half)) + writeIsolatingPoison(records.subList(half, records.size()));
        }
    }

    /**
     * Before partitions go to another sink, write what was read from them. When that write fails, the
     * whole batch is dropped uncommitted, and the partitions kept are rewound to their committed offsets,
     * so that every dropped record is read again, here or by the new owner.
     */
    private final class FlushOnRevoke implements ConsumerRebalanceListener {

        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> revoked) {
            if (batch.isEmpty() || flush()) {
                return;
            }
            Set<TopicPartition> kept = new HashSet<>(consumer.assignment());
            kept.removeAll(revoked);
            batch.clear();
            batchOffsets.clear();
            batchRows = 0;
            batchBytes = 0;
            Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(kept);
            for (TopicPartition partition : kept) {
                OffsetAndMetadata offset = committed.get(partition);
                if (offset != null) {
                    consumer.seek(partition, offset);
                } else {
                    consumer.seekToBeginning(List.of(partition));
                }
            }
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> assigned) {
            LOG.info("{} loop assigned {} partitions: {}", writer.table(), assigned.size(), assigned);
        }
    }
}
