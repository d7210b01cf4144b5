package io.sluice.bridge.fuzz;

import java.util.List;

import io.sluice.schemas.avro.TelemetryEvent;
import io.sluice.schemas.mqtt.InvalidPayloadException;
import io.sluice.schemas.mqtt.MqttTopics;
import io.sluice.schemas.mqtt.PayloadLimits;
import io.sluice.schemas.mqtt.TelemetryPayload;

/**
 * The JSON and SenML payload parsers ({@link TelemetryPayload#parseAll}: an object is the JSON contract, an array a
 * SenML pack): every input is either refused with an {@link InvalidPayloadException} naming its reason, or gives
 * events within the limits. Any other exception, or an event past a limit, is a finding.
 */
public final class PayloadFuzzer {

    private static final PayloadLimits LIMITS = new PayloadLimits(PayloadLimits.DEFAULT_MAX_PAYLOAD_BYTES, 16,
            PayloadLimits.DEFAULT_MAX_PAST_MS, PayloadLimits.DEFAULT_MAX_FUTURE_MS);
    private static final long NOW = 1_764_000_000_000L;

    private PayloadFuzzer() {
    }

    public static void fuzzerTestOneInput(byte[] data) {
        parse("dev-1", data);
    }

    static void parse(String device, byte[] payload) {
        List<TelemetryEvent> events;
        try {
            events = TelemetryPayload.parseAll(device, payload, NOW, LIMITS);
        } catch (InvalidPayloadException refused) {
            if (refused.reason() == null || refused.getMessage() == null) {
                throw new IllegalStateException("a refusal without its reason", refused);
            }
            return;
        }
        for (TelemetryEvent event : events) {
            if (event.getMetrics().size() > LIMITS.maxMetrics() || event.getMetrics().isEmpty()) {
                throw new IllegalStateException(event.getMetrics().size() + " metrics accepted, the limit is " + LIMITS.maxMetrics());
            }
            if (!MqttTopics.isValidDeviceId(event.getDeviceId().toString())) {
                throw new IllegalStateException("an event of an invalid device id");
            }
            long ts = event.getTsMs();
            if (ts < NOW - LIMITS.maxPastMs() || ts > NOW + LIMITS.maxFutureMs()) {
                throw new IllegalStateException("a timestamp out of range accepted: " + ts);
            }
            event.getMetrics().values().forEach(value -> {
                if (value == null || value.isNaN() || value.isInfinite()) {
                    throw new IllegalStateException("a metric value that is not a finite number: " + value);
                }
            });
        }
    }
}
