package io.sluice.bridge;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.NotEnoughReplicasException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sluice.schemas.avro.DeadLetter;
import io.sluice.schemas.avro.TelemetryEvent;
import io.sluice.schemas.kafka.Topics;
import io.sluice.schemas.mqtt.PayloadLimits;
import io.sluice.schemas.mqtt.PayloadRejection;

class TelemetryIngestTest {

    private final MockProducer<byte[], byte[]> producer =
            new MockProducer<>(false, null, new ByteArraySerializer(), new ByteArraySerializer());
    private final TelemetryIngest ingest =
            new TelemetryIngest(producer, PayloadLimits.DEFAULTS, 2, new BridgeMetrics(new SimpleMeterRegistry()),
                    Runnable::run);

    private CompletableFuture<IngestOutcome> publish(String topic, String payload) {
        return ingest.ingest(topic, payload.getBytes(StandardCharsets.UTF_8), System.currentTimeMillis()).toCompletableFuture();
    }

    @Test
    void aReadingIsKeyedByDeviceAndCompletesOnlyWhenKafkaAcknowledges() throws Exception {
        CompletableFuture<IngestOutcome> outcome = publish("devices/dev-1/telemetry", "{\"seq\":1,\"metrics\":{\"t\":1,\"h\":2}}");
        assertFalse(outcome.isDone(), "no answer before Kafka's acknowledgement");
        ProducerRecord<byte[], byte[]> sent = producer.history().get(0);
        assertEquals(Topics.TELEMETRY_RAW.name(), sent.topic());
        assertArrayEquals("dev-1".getBytes(StandardCharsets.UTF_8), sent.key());
        TelemetryEvent event = Topics.TELEMETRY_RAW.decode(sent.value());
        assertEquals(1L, event.getSeq());
        producer.completeNext();
        assertEquals(new IngestOutcome.Accepted(2), outcome.get(1, TimeUnit.SECONDS));
        assertEquals(0, ingest.inFlight());
    }

    @Test
    void aFailedKafkaWriteIsNotWrittenSoTheDeviceIsNotAcknowledged() throws Exception {
        CompletableFuture<IngestOutcome> outcome = publish("devices/dev-1/telemetry", "{\"metrics\":{\"t\":1}}");
        producer.errorNext(new NotEnoughReplicasException("min ISR"));
        assertInstanceOf(IngestOutcome.NotWritten.class, outcome.get(1, TimeUnit.SECONDS));
        assertEquals(0, ingest.inFlight());
    }

    @Test
    void anInvalidPayloadIsDeadLetteredWithReasonDeviceAndOriginalBytes() throws Exception {
        CompletableFuture<IngestOutcome> outcome = publish("devices/dev-9/telemetry", "not json");
        ProducerRecord<byte[], byte[]> sent = producer.history().get(0);
        assertEquals(Topics.DEAD_LETTER.name(), sent.topic());
        DeadLetter letter = Topics.DEAD_LETTER.decode(sent.value());
        assertEquals("dev-9", letter.getDeviceId());
        assertEquals("NOT_JSON", letter.getReason());
        assertEquals("not json", StandardCharsets.UTF_8.decode(letter.getPayload()).toString());
        assertEquals(8, letter.getPayloadSize());
        assertFalse(outcome.isDone(), "answered once the dead-letter record is durable");
        producer.completeNext();
        IngestOutcome.DeadLettered rejected = assertInstanceOf(IngestOutcome.DeadLettered.class, outcome.get(1, TimeUnit.SECONDS));
        assertEquals(PayloadRejection.NOT_JSON, rejected.reason());
    }

    @Test
    void aTopicOutsideTheLayoutIsDeadLetteredAndAHugePayloadIsCutInTheRecord() throws Exception {
        publish("sensors/x", "{\"metrics\":{\"t\":1}}");
        assertEquals("TOPIC_OUTSIDE_LAYOUT", Topics.DEAD_LETTER.decode(producer.history().get(0).value()).getReason());
        producer.completeNext();
        String huge = "x".repeat(PayloadLimits.DEFAULT_MAX_PAYLOAD_BYTES + 1);
        publish("devices/d/telemetry", huge);
        DeadLetter letter = Topics.DEAD_LETTER.decode(producer.history().get(1).value());
        assertEquals("TOO_LARGE", letter.getReason());
        assertEquals(io.sluice.schemas.kafka.DeadLetters.PAYLOAD_BYTES, letter.getPayload().remaining());
        assertEquals(huge.length(), letter.getPayloadSize());
    }

    @Test
    void overTheInFlightBoundNothingIsSentAndTheAnswerIsNotWritten() throws Exception {
        publish("devices/a/telemetry", "{\"metrics\":{\"t\":1}}");
        publish("devices/b/telemetry", "{\"metrics\":{\"t\":1}}");
        CompletableFuture<IngestOutcome> third = publish("devices/c/telemetry", "{\"metrics\":{\"t\":1}}");
        assertInstanceOf(IngestOutcome.NotWritten.class, third.get(1, TimeUnit.SECONDS));
        assertEquals(2, producer.history().size());
        assertTrue(producer.completeNext());
        CompletableFuture<IngestOutcome> retried = publish("devices/c/telemetry", "{\"metrics\":{\"t\":1}}");
        assertEquals(3, producer.history().size(), "sent once a slot was free");
        producer.completeNext();
        producer.completeNext();
        assertInstanceOf(IngestOutcome.Accepted.class, retried.get(1, TimeUnit.SECONDS));
    }
}
