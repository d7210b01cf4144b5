package io.sluice.processor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.List;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.streams.errors.DeserializationExceptionHandler;
import org.junit.jupiter.api.Test;

import io.sluice.schemas.avro.DeadLetter;
import io.sluice.schemas.kafka.Topics;

class PoisonRecordHandlerTest {

    private static ConsumerRecord<byte[], byte[]> record(byte[] key, byte[] value) {
        return new ConsumerRecord<>(Topics.TELEMETRY_RAW.name(), 3, 42L, 1_763_800_000_000L, TimestampType.CREATE_TIME,
                key == null ? -1 : key.length, value.length, key, value, new RecordHeaders(), java.util.Optional.empty());
    }

    @Test
    void anUndecodableRecordResumesTheStreamAndGoesToTheDeadLetterTopicWithItsReason() {
        DeserializationExceptionHandler.Response response = new PoisonRecordHandler().handleError(null,
                record("dev-7".getBytes(StandardCharsets.UTF_8), "garbage".getBytes(StandardCharsets.UTF_8)),
                new SerializationException("not a readable Avro single-object record"));
        assertEquals(DeserializationExceptionHandler.Result.RESUME, response.result());
        List<ProducerRecord<byte[], byte[]>> letters = response.deadLetterQueueRecords();
        assertEquals(1, letters.size());
        assertEquals(Topics.DEAD_LETTER.name(), letters.get(0).topic());
        assertArrayEquals("dev-7".getBytes(StandardCharsets.UTF_8), letters.get(0).key());
        DeadLetter letter = Topics.DEAD_LETTER.decode(letters.get(0).value());
        assertEquals("dev-7", letter.getDeviceId());
        assertEquals("stream-processor", letter.getSource());
        assertEquals(PoisonRecordHandler.UNDECODABLE, letter.getReason());
        assertEquals("sluice.telemetry.raw-3 offset 42: not a readable Avro single-object record", letter.getDetail());
        assertEquals("garbage", StandardCharsets.UTF_8.decode(letter.getPayload()).toString());
        assertEquals(7, letter.getPayloadSize());
        assertEquals(1_763_800_000_000L, letter.getReceivedAtMs());
    }

    @Test
    void aHugeOrKeylessRecordIsCutAndStillDeadLettered() {
        byte[] huge = new byte[io.sluice.schemas.kafka.DeadLetters.PAYLOAD_BYTES * 3];
        DeadLetter letter = Topics.DEAD_LETTER.decode(new PoisonRecordHandler().handleError(null, record(null, huge),
                new SerializationException("bad")).deadLetterQueueRecords().get(0).value());
        assertEquals("", letter.getDeviceId());
        assertEquals(io.sluice.schemas.kafka.DeadLetters.PAYLOAD_BYTES, letter.getPayload().remaining());
        assertEquals(huge.length, letter.getPayloadSize());
    }

    @Test
    void aRecordAProcessorThrowsOnGoesToTheDeadLetterTopicAsItCameInAndTheStreamResumes() {
        byte[] raw = "the record's bytes".getBytes(StandardCharsets.UTF_8);
        org.apache.kafka.streams.errors.ErrorHandlerContext context = new org.apache.kafka.streams.errors.ErrorHandlerContext() {
            public String topic() { return Topics.TELEMETRY_RAW.name(); }
            public int partition() { return 5; }
            public long offset() { return 77L; }
            public org.apache.kafka.common.header.Headers headers() { return new RecordHeaders(); }
            public String processorNodeId() { return "detect-anomalies"; }
            public org.apache.kafka.streams.processor.TaskId taskId() { return new org.apache.kafka.streams.processor.TaskId(0, 5); }
            public long timestamp() { return 1_763_800_000_000L; }
            public byte[] sourceRawKey() { return "dev-9".getBytes(StandardCharsets.UTF_8); }
            public byte[] sourceRawValue() { return raw; }
        };
        org.apache.kafka.streams.errors.ProcessingExceptionHandler.Response response = new PoisonRecordHandler().handleError(context,
                new org.apache.kafka.streams.processor.api.Record<>("dev-9", "decoded", 1L), new IllegalStateException("boom"));
        assertEquals(org.apache.kafka.streams.errors.ProcessingExceptionHandler.Result.RESUME, response.result());
        DeadLetter letter = Topics.DEAD_LETTER.decode(response.deadLetterQueueRecords().get(0).value());
        assertEquals("dev-9", letter.getDeviceId());
        assertEquals(PoisonRecordHandler.UNPROCESSABLE, letter.getReason());
        assertEquals("sluice.telemetry.raw-5 offset 77: in detect-anomalies: java.lang.IllegalStateException: boom", letter.getDetail());
        assertEquals("the record's bytes", StandardCharsets.UTF_8.decode(letter.getPayload()).toString());
    }
}
