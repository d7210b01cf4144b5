package io.sluice.processor;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.streams.errors.DeserializationExceptionHandler;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.sluice.schemas.avro.DeadLetter;
import io.sluice.schemas.kafka.DeadLetters;
import io.sluice.schemas.kafka.Topics;

/**
 * What the processors do with a record they cannot decode: it goes to the dead-letter topic as a
 * {@link DeadLetter} (reason {@value #REASON}, where it was read, the first bytes of it), within the
 * same exactly-once transaction, and the stream carries on. A poison record never stops a stream
 * thread; the sink writes it into {@code sluice.rejected} next to the payloads the bridges refused.
 */
public final class PoisonRecordHandler implements DeserializationExceptionHandler {

    public static final String REASON = "UNDECODABLE_RECORD";

    private static final Logger LOG = LoggerFactory.getLogger(PoisonRecordHandler.class);

    @Override
    public Response handleError(ErrorHandlerContext context, ConsumerRecord<byte[], byte[]> record, Exception exception) {
        String deviceId = record.key() == null ? "" : new String(record.key(), StandardCharsets.UTF_8);
        byte[] value = record.value() == null ? new byte[0] : record.value();
        String where = record.topic() + "-" + record.partition() + " offset " + record.offset();
        LOG.warn("dead-lettering an undecodable record of device '{}' at {}: {}", deviceId, where, exception.getMessage());
        DeadLetter letter = DeadLetters.of("stream-processor", deviceId, "", REASON, where + ": " + exception.getMessage(), value,
                record.timestamp());
        return Response.resume(List.of(new ProducerRecord<>(Topics.DEAD_LETTER.name(), record.key(),
                Topics.DEAD_LETTER_SERDE.encode(letter))));
    }

    @Override
    public void configure(Map<String, ?> configs) {
    }
}
