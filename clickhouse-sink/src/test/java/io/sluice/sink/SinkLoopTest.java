package io.sluice.sink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.internals.AutoOffsetResetStrategy;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sluice.schemas.avro.TelemetryEvent;
import io.sluice.schemas.kafka.Topics;
import io.sluice.testing.Await;

class SinkLoopTest {

    private static final TopicPartition P0 = new TopicPartition(Topics.TELEMETRY_RAW.name(), 0);

    private final MockConsumer<byte[], byte[]> consumer = new MockConsumer<>(AutoOffsetResetStrategy.EARLIEST.name());
    private final InMemoryTelemetryWriter writer = new InMemoryTelemetryWriter();
    private final List<String> rejected = new java.util.concurrent.CopyOnWriteArrayList<>();
    private Thread thread;
    private SinkLoop<TelemetryEvent> loop;

    private void start(Map<String, Object> settings) {
        Map<String, Object> all = new HashMap<>(Map.of(SinkConfig.BATCH_MAX_AGE_MS, 50L, SinkConfig.RETRY_BACKOFF_MS, 20L,
                SinkConfig.RETRY_BACKOFF_MAX_MS, 40L));
        all.putAll(settings);
        loop = new SinkLoop<>(Topics.TELEMETRY_RAW, consumer, writer, new SinkMetrics(new SimpleMeterRegistry(), "telemetry"),
                new SinkConfig(all), (event, reason, detail) -> rejected.add(event.getTsMs() + " " + reason));
        consumer.schedulePollTask(() -> {
            consumer.rebalance(List.of(P0));
            consumer.updateBeginningOffsets(Map.of(P0, 0L));
        });
        thread = new Thread(loop);
        thread.start();
    }

    @AfterEach
    void stop() throws InterruptedException {
        loop.stop();
        thread.join(5000);
    }

    private void deliver(long offset, byte[] value) {
        consumer.schedulePollTask(() -> consumer.addRecord(new ConsumerRecord<>(P0.topic(), 0, offset, "d".getBytes(), value)));
    }

    private static byte[] event(long ts) {
        return Topics.TELEMETRY_RAW.encode(TelemetryEvent.newBuilder().setDeviceId("d").setTsMs(ts).setSeq(null)
                .setReceivedAtMs(ts).setMetrics(Map.of("t", 1.0, "h", 2.0)).build());
    }

    private long committed() {
        Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(Set.of(P0));
        return committed.get(P0) == null ? -1 : committed.get(P0).offset();
    }

    @Test
    void offsetsAreCommittedOnlyAfterTheRowsAreWritten() {
        start(Map.of());
        deliver(0, event(1));
        deliver(1, event(2));
        Await.until("offset 2 committed", Duration.ofSeconds(5), () -> committed() == 2);
        assertEquals(2, writer.written.size());
    }

    @Test
    void aFailedInsertKeepsTheBatchPausesAndRetriesUntilItIsWritten() {
        writer.failuresToCome = 3;
        start(Map.of());
        deliver(0, event(1));
        Await.until("the batch retried past three failures", Duration.ofSeconds(5), () -> writer.written.size() == 1);
        assertTrue(writer.attempts >= 4, "attempts " + writer.attempts);
        Await.until("offset 1 committed", Duration.ofSeconds(5), () -> committed() == 1);
        Await.until("partitions resumed", Duration.ofSeconds(5), () -> consumer.paused().isEmpty());
    }

    @Test
    void aPoisonRecordIsSkippedWithoutStoppingTheRest() {
        start(Map.of());
        deliver(0, "garbage".getBytes());
        deliver(1, event(7));
        Await.until("offset 2 committed", Duration.ofSeconds(5), () -> committed() == 2);
        assertEquals(1, writer.written.size());
        assertEquals(7, writer.written.get(0).getTsMs());
    }

    @Test
    void aFullBatchIsWrittenBeforeItsAgeIsReached() {
        start(Map.of(SinkConfig.BATCH_MAX_ROWS, 4, SinkConfig.BATCH_MAX_AGE_MS, 600_000L));
        deliver(0, event(1));
        deliver(1, event(2));
        Await.until("a batch of 4 rows written", Duration.ofSeconds(5), () -> writer.written.size() == 2);
        Await.until("offset 2 committed", Duration.ofSeconds(5), () -> committed() == 2);
    }

    @Test
    void aBatchIsAlsoWrittenWhenItsBytesReachTheBound() {
        int eventBytes = event(1).length;
        start(Map.of(SinkConfig.BATCH_MAX_BYTES, (long) Math.max(1024, 3L * eventBytes), SinkConfig.BATCH_MAX_AGE_MS, 600_000L));
        int events = (int) Math.ceil(Math.max(1024, 3.0 * eventBytes) / eventBytes);
        for (int i = 0; i < events; i++) {
            deliver(i, event(i));
        }
        Await.until("the batch written on its bytes, long before its age", Duration.ofSeconds(5),
                () -> writer.written.size() == events);
        Await.until("its offsets committed", Duration.ofSeconds(5), () -> committed() == events);
    }

    @Test
    void rowsClickHouseRefusesAreIsolatedAndRejectedWhileTheRestOfTheBatchIsWritten() {
        writer.refusedTs = 13;
        start(Map.of(SinkConfig.BATCH_MAX_AGE_MS, 300L));
        for (int i = 0; i < 20; i++) {
            deliver(i, event(i));
        }
        Await.until("offset 20 committed", Duration.ofSeconds(5), () -> committed() == 20);
        assertEquals(19, writer.written.size(), "every record but the refused one written");
        assertEquals(List.of("13 CLICKHOUSE_CODE_27"), rejected);
        assertTrue(loop.healthy());
    }

    @Test
    void aRefusalTheDeadLetterTopicCannotTakeRetriesTheBatchInsteadOfLosingTheRecord() {
        writer.refusedTs = 3;
        Map<String, Object> all = new HashMap<>(Map.of(SinkConfig.BATCH_MAX_AGE_MS, 50L, SinkConfig.RETRY_BACKOFF_MS, 20L,
                SinkConfig.RETRY_BACKOFF_MAX_MS, 40L));
        java.util.concurrent.atomic.AtomicInteger refusals = new java.util.concurrent.atomic.AtomicInteger();
        loop = new SinkLoop<>(Topics.TELEMETRY_RAW, consumer, writer, new SinkMetrics(new SimpleMeterRegistry(), "telemetry"),
                new SinkConfig(all), (event, reason, detail) -> {
                    if (refusals.incrementAndGet() <= 2) {
                        throw new org.apache.kafka.common.errors.TimeoutException("Kafka down (simulated)");
                    }
                    rejected.add(event.getTsMs() + " " + reason);
                });
        consumer.schedulePollTask(() -> {
            consumer.rebalance(List.of(P0));
            consumer.updateBeginningOffsets(Map.of(P0, 0L));
        });
        thread = new Thread(loop);
        thread.start();
        deliver(0, event(3));
        Await.until("offset 1 committed once the dead letter went out", Duration.ofSeconds(5), () -> committed() == 1);
        assertEquals(List.of("3 CLICKHOUSE_CODE_27"), rejected);
    }
}
