package io.sluice.schemas.mqtt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import io.sluice.schemas.avro.TelemetryEvent;

class SenmlPayloadTest {

    private static final long RECEIVED = 1_763_800_000_500L;

    private static List<TelemetryEvent> parse(String json) throws InvalidPayloadException {
        return TelemetryPayload.parseAll("dev-1", json.getBytes(StandardCharsets.UTF_8), RECEIVED, PayloadLimits.DEFAULTS);
    }

    private static PayloadRejection rejection(String json) {
        return assertThrows(InvalidPayloadException.class, () -> parse(json)).reason();
    }

    @Test
    void baseNameOfTheDeviceAndBaseTimeAreApplied() throws Exception {
        List<TelemetryEvent> events = parse("[{\"bn\":\"urn:dev:ow:10e2073a01080063:\",\"bt\":1763800000,\"n\":\"temperature\",\"u\":\"Cel\",\"v\":23.1},"
                + "{\"n\":\"humidity\",\"u\":\"%RH\",\"v\":40}]");
        assertEquals(1, events.size());
        TelemetryEvent event = events.get(0);
        assertEquals("dev-1", event.getDeviceId());
        assertEquals(1_763_800_000_000L, event.getTsMs());
        assertNull(event.getSeq());
        assertEquals(Map.of("temperature", 23.1, "humidity", 40.0), event.getMetrics());
    }

    @Test
    void recordsAtDifferentTimesBecomeOneEventPerTime() throws Exception {
        List<TelemetryEvent> events = parse("[{\"bn\":\"pump.\",\"bt\":1763800000,\"n\":\"rpm\",\"v\":1200},"
                + "{\"n\":\"rpm\",\"t\":10,\"v\":1250},{\"n\":\"on\",\"t\":10,\"vb\":true}]");
        assertEquals(2, events.size());
        assertEquals(Map.of("pump.rpm", 1200.0), events.get(0).getMetrics());
        assertEquals(1_763_800_010_000L, events.get(1).getTsMs());
        assertEquals(Map.of("pump.rpm", 1250.0, "pump.on", 1.0), events.get(1).getMetrics());
    }

    @Test
    void smallTimesAreRelativeToNowAndAbsentTimeIsNow() throws Exception {
        List<TelemetryEvent> events = parse("[{\"n\":\"a\",\"v\":1},{\"n\":\"b\",\"t\":-5,\"v\":2}]");
        assertEquals(RECEIVED - 5000, events.get(0).getTsMs());
        assertEquals(RECEIVED, events.get(1).getTsMs());
    }

    @Test
    void baseValueAndSumApply() throws Exception {
        assertEquals(Map.of("e", 105.0), parse("[{\"bv\":100,\"n\":\"e\",\"v\":5}]").get(0).getMetrics());
        assertEquals(Map.of("e", 12.0), parse("[{\"bs\":10,\"n\":\"e\",\"s\":2}]").get(0).getMetrics());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "[{\"n\":\"label\",\"vs\":\"on\"}]                 | BAD_SENML",
            "[{\"n\":\"x\",\"v\":1,\"crit_\":1}]                | BAD_SENML",
            "[{\"n\":\"x\"}]                                    | BAD_SENML",
            "[{\"v\":1}]                                        | BAD_SENML",
            "[{\"n\":\"x\",\"v\":1},{\"n\":\"x\",\"v\":2}]      | BAD_SENML",
            "[1,2]                                              | BAD_SENML",
            "[{\"n\":\"bad name\",\"v\":1}]                     | BAD_METRIC_NAME",
            "[{\"n\":\"x\",\"v\":1e400}]                         | BAD_METRIC_VALUE",
            "[{\"n\":\"x\",\"v\":1,\"bt\":100000000000}]         | TIMESTAMP_OUT_OF_RANGE",
            "[]                                                 | MISSING_METRICS",
            "[{\"n\":\"x\",\"v\":1}]]                            | NOT_JSON",
    })
    void badPacksAreRejectedWithTheirReason(String pack, PayloadRejection expected) {
        assertEquals(expected, rejection(pack));
    }

    @Test
    void unknownFieldsNotEndingInUnderscoreAreIgnored() throws Exception {
        assertEquals(Map.of("x", 1.0), parse("[{\"n\":\"x\",\"v\":1,\"ut\":60,\"bver\":10}]").get(0).getMetrics());
    }

    @Test
    void slashesInNamesBecomeDots() throws Exception {
        assertEquals(Map.of("room.temp", 20.0), parse("[{\"n\":\"room/temp\",\"v\":20}]").get(0).getMetrics());
    }
}
