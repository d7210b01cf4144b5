package io.sluice.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Random;

import org.junit.jupiter.api.Test;

import io.sluice.schemas.avro.TelemetryEvent;
import io.sluice.schemas.mqtt.PayloadLimits;
import io.sluice.schemas.mqtt.TelemetryPayload;

class DeviceSignalTest {

    @Test
    void fixedDecimalsAreWhatFormatWouldWrite() {
        Random random = new Random(7);
        for (int i = 0; i < 20_000; i++) {
            double value = (random.nextDouble() - 0.5) * Math.pow(10, random.nextInt(8));
            int decimals = random.nextInt(4);
            String expected = String.format(Locale.ROOT, "%." + decimals + "f", value);
            if (expected.matches("-0\\.?0*")) {
                expected = expected.substring(1);
            }
            assertEquals(expected, DeviceSignal.fixed(new StringBuilder(), value, decimals).toString(), value + " to " + decimals);
        }
    }

    @Test
    void bothPayloadFormatsParseToTheSameFourReadingsAtTheSameTime() throws Exception {
        long ts = 1_795_400_000_123L;
        for (FleetOptions.PayloadFormat format : FleetOptions.PayloadFormat.values()) {
            StringBuilder payload = new StringBuilder();
            new DeviceSignal(3).payload(payload, format, "sim-3", ts, 42);
            List<TelemetryEvent> events = TelemetryPayload.parseAll("sim-3", payload.toString().getBytes(StandardCharsets.UTF_8),
                    ts + 10, PayloadLimits.DEFAULTS);
            assertEquals(1, events.size(), format + ": one event");
            assertEquals(ts, events.get(0).getTsMs(), format + ": the reading's time to the millisecond");
            assertEquals(4, events.get(0).getMetrics().size(), format + ": " + events.get(0).getMetrics());
            assertTrue(events.get(0).getMetrics().keySet().containsAll(List.of(DeviceSignal.METRICS)), format + ": metric names");
            if (format == FleetOptions.PayloadFormat.JSON) {
                assertEquals(42L, events.get(0).getSeq());
            }
        }
    }
}
