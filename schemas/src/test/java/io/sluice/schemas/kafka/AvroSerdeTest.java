package io.sluice.schemas.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.specific.SpecificData;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

import io.sluice.schemas.avro.TelemetryEvent;

class AvroSerdeTest {

    private static TelemetryEvent event() {
        return TelemetryEvent.newBuilder().setDeviceId("dev-1").setTsMs(1_763_800_000_000L).setSeq(7L)
                .setReceivedAtMs(1_763_800_000_020L).setMetrics(Map.of("temperature", 21.5, "humidity", 40.0)).build();
    }

    @Test
    void anEventSurvivesTheRoundTripCompactly() {
        byte[] bytes = Topics.TELEMETRY_RAW.encode(event());
        assertEquals(event(), Topics.TELEMETRY_RAW.decode(bytes));
        // 10 bytes of single-object header, then a body far smaller than the JSON it came from.
        assertTrue(bytes.length < 80, "encoded size " + bytes.length);
    }

    @Test
    void aRecordWrittenWithANewerSchemaIsReadByTheCurrentCode() throws Exception {
        // A future writer that added a field with a default: today's readers must still read its records.
        Schema newer = SchemaBuilder.record("TelemetryEvent").namespace("io.sluice.schemas.avro").fields()
                .requiredString("deviceId").requiredLong("tsMs")
                .name("seq").type().optional().longType()
                .requiredLong("receivedAtMs")
                .name("metrics").type().map().values().doubleType().noDefault()
                .name("firmware").type().stringType().stringDefault("unknown")
                .endRecord();
        GenericRecord record = new GenericData.Record(newer);
        record.put("deviceId", "dev-1");
        record.put("tsMs", 1L);
        record.put("seq", null);
        record.put("receivedAtMs", 2L);
        record.put("metrics", Map.of("t", 1.0));
        record.put("firmware", "2.1");
        byte[] bytes = new BinaryMessageEncoder<GenericRecord>(GenericData.get(), newer).encode(record).array();

        BinaryMessageDecoder<TelemetryEvent> decoder = new BinaryMessageDecoder<>(SpecificData.get(), TelemetryEvent.getClassSchema());
        decoder.addSchema(newer);
        TelemetryEvent read = decoder.decode(bytes);
        assertEquals("dev-1", read.getDeviceId());
        assertEquals(Map.of("t", 1.0), read.getMetrics());
    }

    @Test
    void bytesThatAreNotARecordFailAsASerializationError() {
        assertThrows(SerializationException.class, () -> Topics.TELEMETRY_RAW.decode("{\"json\":1}".getBytes()));
        assertThrows(SerializationException.class, () -> Topics.TELEMETRY_RAW.decode(new byte[0]));
    }

    @Test
    void everyTopicIsKeyedByDeviceIdAndNamedOnce() {
        assertEquals(Topics.ALL.size(), Topics.ALL.stream().map(Topic::name).distinct().count());
        for (Topic<?, ?> topic : Topics.ALL) {
            assertTrue(topic.name().startsWith("sluice."), topic.name());
            assertEquals(12, topic.newTopic(Topics.DEFAULT_PARTITIONS, (short) 1).numPartitions());
        }
        assertEquals(Long.toString(Topics.DEFAULT_RAW_RETENTION_MS), Topics.TELEMETRY_RAW.configs().get("retention.ms"));
    }
}
