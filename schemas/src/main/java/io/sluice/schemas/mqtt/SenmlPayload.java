package io.sluice.schemas.mqtt;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

import io.sluice.schemas.avro.TelemetryEvent;

/**
 * SenML JSON (RFC 8428) on {@code devices/{deviceId}/telemetry}: a JSON array of records, normalized
 * into one {@link TelemetryEvent} per distinct time.
 *
 * <ul>
 *   <li>Base fields ({@code bn}, {@code bt}, {@code bv}, {@code bs}) apply to the records after them.</li>
 *   <li>Name: {@code bn + n}. A base name that ends in {@code :} or {@code /} names the device (such as
 *       {@code urn:dev:mac:0024befffe804ff1:}), so it is left out of the metric name; {@code /} in names
 *       becomes {@code .}. The result must be a valid metric name.</li>
 *   <li>Time: {@code bt + t} in seconds; values below 2^28 are relative to the receive time (RFC 8428
 *       section 4.5.3), absent means now.</li>
 *   <li>Value: {@code bv + v}, else {@code vb} as 1 or 0, else {@code bs + s}. String ({@code vs}) and data
 *       ({@code vd}) values are refused: Sluice stores numbers.</li>
 *   <li>Fields ending in {@code _} must be understood (RFC 8428 section 4.4) and are refused; other unknown
 *       fields are ignored, as the RFC asks.</li>
 * </ul>
 */
final class SenmlPayload {

    private static final double RELATIVE_TIME_LIMIT = 268_435_456d;

    private SenmlPayload() {
    }

    static List<TelemetryEvent> parse(String deviceId, JsonParser parser, long receivedAtMs, PayloadLimits limits)
            throws IOException, InvalidPayloadException {
        String baseName = "";
        double baseTime = 0;
        double baseValue = 0;
        double baseSum = 0;
        Map<Long, Map<String, Double>> byTime = new TreeMap<>();
        int readings = 0;
        JsonToken token;
        while ((token = parser.nextToken()) == JsonToken.START_OBJECT) {
            String name = null;
            Double time = null;
            Double value = null;
            Double sum = null;
            Boolean bool = null;
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String field = parser.currentName();
                JsonToken fieldValue = parser.nextToken();
                switch (field) {
                    case "bn" -> baseName = text(parser, fieldValue, field);
                    case "bt" -> baseTime = number(parser, fieldValue, field);
                    case "bv" -> baseValue = number(parser, fieldValue, field);
                    case "bs" -> baseSum = number(parser, fieldValue, field);
                    case "n" -> name = text(parser, fieldValue, field);
                    case "t" -> time = number(parser, fieldValue, field);
                    case "v" -> value = number(parser, fieldValue, field);
                    case "s" -> sum = number(parser, fieldValue, field);
                    case "vb" -> {
                        if (!fieldValue.isBoolean()) {
                            throw bad("vb must be true or false");
                        }
                        bool = parser.getBooleanValue();
                    }
                    case "vs", "vd" -> throw bad("'" + field + "' values are not stored: Sluice stores numbers");
                    default -> {
                        if (field.endsWith("_")) {
                            throw bad("field '" + abbreviate(field) + "' must be understood and is not");
                        }
                        parser.skipChildren();
                    }
                }
            }
            String metric = metricName(baseName, name);
            double reading;
            if (value != null) {
                reading = baseValue + value;
            } else if (bool != null) {
                reading = bool ? 1 : 0;
            } else if (sum != null) {
                reading = baseSum + sum;
            } else {
                throw bad("record '" + metric + "' has no numeric value (v, vb or s)");
            }
            if (!Double.isFinite(reading)) {
                throw new InvalidPayloadException(PayloadRejection.BAD_METRIC_VALUE, "metric '" + metric + "' is not finite");
            }
            double seconds = baseTime + (time == null ? 0 : time);
            long tsMs = seconds < RELATIVE_TIME_LIMIT ? receivedAtMs + Math.round(seconds * 1000) : Math.round(seconds * 1000);
            if (++readings > limits.maxMetrics()) {
                throw new InvalidPayloadException(PayloadRejection.TOO_MANY_METRICS, "more than " + limits.maxMetrics() + " records");
            }
            if (byTime.computeIfAbsent(tsMs, t -> new HashMap<>()).put(metric, reading) != null) {
                throw bad("metric '" + metric + "' appears twice at the same time");
            }
        }
        if (token != JsonToken.END_ARRAY) {
            throw bad("a SenML pack is an array of objects");
        }
        if (parser.nextToken() != null) {
            throw new InvalidPayloadException(PayloadRejection.NOT_JSON, "trailing content after the array");
        }
        if (byTime.isEmpty()) {
            throw new InvalidPayloadException(PayloadRejection.MISSING_METRICS, "the SenML pack holds no record");
        }
        List<TelemetryEvent> events = new ArrayList<>(byTime.size());
        for (Map.Entry<Long, Map<String, Double>> entry : byTime.entrySet()) {
            long tsMs = entry.getKey();
            limits.checkTimestamp(tsMs, receivedAtMs);
            events.add(TelemetryEvent.newBuilder()
                    .setDeviceId(deviceId)
                    .setTsMs(tsMs)
                    .setSeq(null)
                    .setReceivedAtMs(receivedAtMs)
                    .setMetrics(entry.getValue())
                    .build());
        }
        return events;
    }

    private static String metricName(String baseName, String name) throws InvalidPayloadException {
        boolean baseNamesDevice = baseName.endsWith(":") || baseName.endsWith("/");
        String full = (baseNamesDevice ? "" : baseName) + (name == null ? "" : name);
        if (full.isEmpty()) {
            throw bad("a record has no name (bn + n is empty)");
        }
        String metric = full.replace('/', '.');
        if (!PayloadLimits.isValidMetricName(metric)) {
            throw new InvalidPayloadException(PayloadRejection.BAD_METRIC_NAME, "'" + abbreviate(full) + "'");
        }
        return metric;
    }

    private static String text(JsonParser parser, JsonToken token, String field) throws IOException, InvalidPayloadException {
        if (token != JsonToken.VALUE_STRING) {
            throw bad(field + " must be a string");
        }
        return parser.getText();
    }

    private static double number(JsonParser parser, JsonToken token, String field) throws IOException, InvalidPayloadException {
        if (token != JsonToken.VALUE_NUMBER_INT && token != JsonToken.VALUE_NUMBER_FLOAT) {
            throw bad(field + " must be a number");
        }
        return parser.getDoubleValue();
    }

    private static InvalidPayloadException bad(String detail) {
        return new InvalidPayloadException(PayloadRejection.BAD_SENML, detail);
    }

    private static String abbreviate(String text) {
        return text.length() <= 64 ? text : text.substring(0, 64) + "...";
    }
}
