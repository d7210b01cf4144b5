package io.sluice.schemas.mqtt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import io.sluice.schemas.avro.TelemetryEvent;

class TelemetryPayloadTest {

    private static final long RECEIVED = 1_763_800_000_500L;

    private static TelemetryEvent parse(String json) throws InvalidPayloadException {
        return TelemetryPayload.parse("dev-1", json.getBytes(StandardCharsets.UTF_8), RECEIVED, PayloadLimits.DEFAULTS);
    }

    private static PayloadRejection rejection(String json) {
        return assertThrows(InvalidPayloadException.class, () -> parse(json)).reason();
    }

    @Test
    void epochMillisecondsSequenceAndMetricsAreKept() throws Exception {
        TelemetryEvent event = parse("{\"ts\":1763800000000,\"seq\":42,\"metrics\":{\"temperature\":21.5,\"humidity\":40}}");
        assertEquals("dev-1", event.getDeviceId());
        assertEquals(1_763_800_000_000L, event.getTsMs());
        assertEquals(42L, event.getSeq());
        assertEquals(RECEIVED, event.getReceivedAtMs());
        assertEquals(Map.of("temperature", 21.5, "humidity", 40.0), event.getMetrics());
    }

    @Test
    void isoTimestampsWithOffsetsAreUnderstood() throws Exception {
        assertEquals(1_763_800_000_000L, parse("{\"ts\":\"2025-11-22T08:26:40Z\",\"metrics\":{\"t\":1}}").getTsMs());
        assertEquals(1_763_800_000_250L, parse("{\"ts\":\"2025-11-22T09:26:40.25+01:00\",\"metrics\":{\"t\":1}}").getTsMs());
    }

    @Test
    void anAbsentTimestampIsTheReceiveTimeAndAnAbsentSequenceIsNull() throws Exception {
        TelemetryEvent event = parse("{\"metrics\":{\"t\":1}}");
        assertEquals(RECEIVED, event.getTsMs());
        assertNull(event.getSeq());
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
            "not json                                          | NOT_JSON",
            "{\"metrics\":{\"t\":1}                            | NOT_JSON",
            "{\"metrics\":{\"t\":1}} trailing                  | NOT_JSON",
            "\"just a string\"                                   | NOT_AN_OBJECT",
            "{}                                                | MISSING_METRICS",
            "{\"metrics\":{}}                                  | MISSING_METRICS",
            "{\"metrics\":[1]}                                 | MISSING_METRICS",
            "{\"metrics\":{\"t\":\"hot\"}}                     | BAD_METRIC_VALUE",
            "{\"metrics\":{\"t\":true}}                        | BAD_METRIC_VALUE",
            "{\"metrics\":{\"t\":1e400}}                       | BAD_METRIC_VALUE",
            "{\"metrics\":{\"t\":NaN}}                         | NOT_JSON",
            "{\"metrics\":{\"bad name\":1}}                    | BAD_METRIC_NAME",
            "{\"ts\":\"yesterday\",\"metrics\":{\"t\":1}}      | BAD_TIMESTAMP",
            "{\"ts\":-5,\"metrics\":{\"t\":1}}                 | BAD_TIMESTAMP",
            "{\"ts\":1.5,\"metrics\":{\"t\":1}}                | BAD_TIMESTAMP",
            "{\"ts\":1000,\"metrics\":{\"t\":1}}               | TIMESTAMP_OUT_OF_RANGE",
            "{\"ts\":1963800000000,\"metrics\":{\"t\":1}}      | TIMESTAMP_OUT_OF_RANGE",
            "{\"seq\":-1,\"metrics\":{\"t\":1}}                | BAD_SEQUENCE",
            "{\"seq\":\"7\",\"metrics\":{\"t\":1}}             | BAD_SEQUENCE",
            "{\"temp\":1,\"metrics\":{\"t\":1}}                | UNKNOWN_FIELD",
    })
    void contractBreachesAreRejectedWithTheirReason(String json, PayloadRejection expected) {
        assertEquals(expected, rejection(json.strip()));
    }

    @Test
    void limitsOnSizeAndMetricCountHold() {
        PayloadLimits tight = new PayloadLimits(64, 2, PayloadLimits.DEFAULT_MAX_PAST_MS, PayloadLimits.DEFAULT_MAX_FUTURE_MS);
        byte[] big = ("{\"metrics\":{\"t\":1},\"pad\":\"" + "x".repeat(100) + "\"}").getBytes(StandardCharsets.UTF_8);
        assertEquals(PayloadRejection.TOO_LARGE,
                assertThrows(InvalidPayloadException.class, () -> TelemetryPayload.parse("d", big, RECEIVED, tight)).reason());
        byte[] many = "{\"metrics\":{\"a\":1,\"b\":2,\"c\":3}}".getBytes(StandardCharsets.UTF_8);
        assertEquals(PayloadRejection.TOO_MANY_METRICS,
                assertThrows(InvalidPayloadException.class, () -> TelemetryPayload.parse("d", many, RECEIVED, tight)).reason());
    }
}
