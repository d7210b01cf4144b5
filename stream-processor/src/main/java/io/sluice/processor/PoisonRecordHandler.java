package io.sluice.processor;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.streams.errors.DeserializationExceptionHandler;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProcessingExceptionHandler;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.sluice.schemas.avro.DeadLetter;
import io.sluice.schemas.kafka.DeadLetters;
import io.sluice.schemas.kafka.Topics;

/**
 * What the processors do with a record they cannot handle, in one place. Two kinds, each to the
 * dead-letter topic as a {@link DeadLetter} with its reason, where it was read and the first bytes of
 * the record as it came in, within the same exactly-once transaction; then the stream carries on:
 * <ul>
 *   <li>{@value #UNDECODABLE}: the bytes are not a record of the topic's schema;</li>
 *   <li>{@value #UNPROCESSABLE}: a processor threw on it (a bug, or input no rule foresaw).</li>
 * </ul>
 * A poison record never stops a stream thread; the sink writes it into {@code sluice.rejected} next
 * to the payloads the bridges refused.
 */
public final class PoisonRecordHandler implements DeserializationExceptionHandler, ProcessingExceptionHandler {

    public static final String UNDECODABLE = "UNDECODABLE_RECORD";
    public static final String UNPROCESSABLE = "PROCESSING_FAILED";

    private static final Logger LOG = LoggerFactory.getLogger(PoisonRecordHandler.class);

    @Override
    public DeserializationExceptionHandler.Response handleError(ErrorHandlerContext context, ConsumerRecord<byte[], byte[]> record,
                                                               Exception exception) {
        return DeserializationExceptionHandler.Response.resume(List.of(
                deadLetter(UNDECODABLE, exception.getMessage(), record.topic(), record.partition(), record.offset(), record.key(),
                        record.value(), record.timestamp())));
    }

    @Override
    public ProcessingExceptionHandler.Response handleError(ErrorHandlerContext context, Record<?, ?> record, Exception exception) {
        return ProcessingExceptionHandler.Response.resume(List.of(
                deadLetter(UNPROCESSABLE, "in " + context.processorNodeId() + ": " + exception, context.topic(), context.partition(),
                        context.offset(), context.sourceRawKey(), context.sourceRawValue(), context.timestamp())));
    }

    private static ProducerRecord<byte[], byte[]> deadLetter(String reason, String detail, String topic, int partition, long offset,
                                                             byte[] key, byte[] value, long timestamp) {
        String deviceId = key == null ? "" : new String(key, StandardCharsets.UTF_8);
        String where = topic + "-" + partition + " offset " + offset;
        LOG.warn("dead-lettering a record of device '{}' at {}: {}: {}", deviceId, where, reason, detail);
        DeadLetter letter = DeadLetters.of("stream-processor", deviceId, "", reason, where + ": " + detail,
                value == null ? new byte[0] : value, timestamp);
        return Topics.DEAD_LETTER.record(deviceId, letter);
    }

    @Override
    public void configure(Map<String, ?> configs) {
    }
}
