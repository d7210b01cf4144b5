package io.sluice.schemas.mqtt;

import java.io.IOException;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;

import io.sluice.schemas.avro.TelemetryEvent;

/**
 * The JSON payload contract of {@code devices/{deviceId}/telemetry}, and its normalization into a
 * {@link TelemetryEvent}:
 *
 * <pre>{"ts": 1763800000000 | "2025-11-22T08:26:40Z", "seq": 42, "metrics": {"temperature": 21.5}}</pre>
 *
 * <ul>
 *   <li>{@code ts}: optional; epoch milliseconds or an ISO-8601 instant with offset; when absent,
 *       the bridge's receive time.</li>
 *   <li>{@code seq}: optional; a non-negative integer the device counts up.</li>
 *   <li>{@code metrics}: required; 1 to {@link PayloadLimits#maxMetrics()} names, each mapped to a
 *       finite number.</li>
 * </ul>
 * Any other field is rejected, so that a typo never silently loses data. A JSON array instead of an
 * object is read as SenML ({@link SenmlPayload}).
 */
public final class TelemetryPayload {

    private static final JsonFactory JSON = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(8).maxNumberLength(64).build())
            .build();

    private TelemetryPayload() {
    }

    /**
     * Parses and validates a payload.
     *
     * @throws InvalidPayloadException with the reason when the payload breaks the contract
     */
    public static TelemetryEvent parse(String deviceId, byte[] payload, long receivedAtMs, PayloadLimits limits)
            throws InvalidPayloadException {
        List<TelemetryEvent> events = parseAll(deviceId, payload, receivedAtMs, limits);
        if (events.size() != 1) {
            throw new InvalidPayloadException(PayloadRejection.NOT_AN_OBJECT, "expected one JSON object");
        }
        return events.get(0);
    }

    /**
     * Parses and validates a payload in either format: a JSON object (the contract above) gives one
     * event, a JSON array is a SenML pack ({@link SenmlPayload}) and gives one event per distinct time.
     * All or nothing: one bad record rejects the whole payload.
     *
     * @throws InvalidPayloadException with the reason when the payload breaks the contract
     */
    public static List<TelemetryEvent> parseAll(String deviceId, byte[] payload, long receivedAtMs, PayloadLimits limits)
            throws InvalidPayloadException {
        if (payload.length > limits.maxPayloadBytes()) {
            throw new InvalidPayloadException(PayloadRejection.TOO_LARGE,
                    payload.length + " bytes, the maximum is " + limits.maxPayloadBytes());
        }
        Long ts = null;
        Long seq = null;
        Map<String, Double> metrics = null;
        try (JsonParser parser = JSON.createParser(payload)) {
            JsonToken first = parser.nextToken();
            if (first == JsonToken.START_ARRAY) {
                return SenmlPayload.parse(deviceId, parser, receivedAtMs, limits);
            }
            if (first != JsonToken.START_OBJECT) {
                throw new InvalidPayloadException(PayloadRejection.NOT_AN_OBJECT, "expected a JSON object or a SenML array");
            }
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String field = parser.currentName();
                JsonToken value = parser.nextToken();
                switch (field) {
                    case "ts" -> ts = timestamp(parser, value);
                    case "seq" -> seq = sequence(parser, value);
                    case "metrics" -> metrics = metrics(parser, value, limits);
                    default -> throw new InvalidPayloadException(PayloadRejection.UNKNOWN_FIELD,
                            "unknown field '" + abbreviate(field) + "'");
                }
            }
            if (parser.nextToken() != null) {
                throw new InvalidPayloadException(PayloadRejection.NOT_JSON, "trailing content after the object");
            }
        } catch (IOException e) {
            throw new InvalidPayloadException(PayloadRejection.NOT_JSON, firstLine(e.getMessage()));
        }
        if (metrics == null || metrics.isEmpty()) {
            throw new InvalidPayloadException(PayloadRejection.MISSING_METRICS, "metrics must hold at least one reading");
        }
        long tsMs = ts == null ? receivedAtMs : ts;
        limits.checkTimestamp(tsMs, receivedAtMs);
        return List.of(TelemetryEvent.newBuilder()
                .setDeviceId(deviceId)
                .setTsMs(tsMs)
                .setSeq(seq)
                .setReceivedAtMs(receivedAtMs)
                .setMetrics(metrics)
                .build());
    }

    private static Long timestamp(JsonParser parser, JsonToken token) throws IOException, InvalidPayloadException {
        if (token == JsonToken.VALUE_NUMBER_INT) {
            if (parser.getNumberType() != JsonParser.NumberType.INT && parser.getNumberType() != JsonParser.NumberType.LONG) {
                throw new InvalidPayloadException(PayloadRejection.BAD_TIMESTAMP, "ts does not fit epoch milliseconds");
            }
            long value = parser.getLongValue();
            if (value < 0) {
                throw new InvalidPayloadException(PayloadRejection.BAD_TIMESTAMP, "ts is negative");
            }
            return value;
        }
        if (token == JsonToken.VALUE_STRING) {
            String text = parser.getText();
            try {
                return OffsetDateTime.parse(text).toInstant().toEpochMilli();
            } catch (DateTimeParseException | ArithmeticException e) {
                throw new InvalidPayloadException(PayloadRejection.BAD_TIMESTAMP,
                        "'" + abbreviate(text) + "' is not an ISO-8601 instant with offset");
            }
        }
        if (token == JsonToken.VALUE_NULL) {
            return null;
        }
        throw new InvalidPayloadException(PayloadRejection.BAD_TIMESTAMP, "ts must be a number or a string");
    }

    private static Long sequence(JsonParser parser, JsonToken token) throws IOException, InvalidPayloadException {
        if (token == JsonToken.VALUE_NULL) {
            return null;
        }
        if (token != JsonToken.VALUE_NUMBER_INT
                || (parser.getNumberType() != JsonParser.NumberType.INT && parser.getNumberType() != JsonParser.NumberType.LONG)
                || parser.getLongValue() < 0) {
            throw new InvalidPayloadException(PayloadRejection.BAD_SEQUENCE, "seq must be an integer from 0 to 2^63-1");
        }
        return parser.getLongValue();
    }

    private static Map<String, Double> metrics(JsonParser parser, JsonToken token, PayloadLimits limits)
            throws IOException, InvalidPayloadException {
        if (token != JsonToken.START_OBJECT) {
            throw new InvalidPayloadException(PayloadRejection.MISSING_METRICS, "metrics must be an object");
        }
        Map<String, Double> metrics = new HashMap<>();
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String name = parser.currentName();
            if (!PayloadLimits.isValidMetricName(name)) {
                throw new InvalidPayloadException(PayloadRejection.BAD_METRIC_NAME, "'" + abbreviate(name) + "'");
            }
            JsonToken value = parser.nextToken();
            if (value != JsonToken.VALUE_NUMBER_INT && value != JsonToken.VALUE_NUMBER_FLOAT) {
                throw new InvalidPayloadException(PayloadRejection.BAD_METRIC_VALUE, "metric '" + name + "' is not a number");
            }
            double number = parser.getDoubleValue();
            if (!Double.isFinite(number)) {
                throw new InvalidPayloadException(PayloadRejection.BAD_METRIC_VALUE, "metric '" + name + "' is not finite");
            }
            metrics.put(name, number);
            if (metrics.size() > limits.maxMetrics()) {
                throw new InvalidPayloadException(PayloadRejection.TOO_MANY_METRICS,
                        "more than " + limits.maxMetrics() + " metrics");
            }
        }
        return metrics;
    }

    private static String abbreviate(String text) {
        return text.length() <= 64 ? text : text.substring(0, 64) + "...";
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "malformed JSON";
        }
        int newline = message.indexOf('\n');
        return abbreviate(newline < 0 ? message : message.substring(0, newline));
    }
}
