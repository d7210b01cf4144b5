package io.sluice.processor.device;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.sluice.processor.rollup.OpenWindows;
import io.sluice.processor.state.StateWriter;

class DeviceStateTest {

    private static final long T0 = 1_764_000_000_000L;

    /** A device with metrics, open minutes, a closed minute in its hour, a learnt interval and a reading log. */
    private static DeviceState populated() {
        DeviceState state = new DeviceState();
        for (String metric : List.of("temperature", "humidity", "pressure")) {
            int slot = state.claimSlot(metric, 64, 3_600_000, T0);
            for (int i = 0; i < 70; i++) {
                state.windows.add(slot, 20.0 + i % 7, T0 + i * 1_000L, T0 + i * 1_000L + 5);
            }
        }
        state.windows.closeThrough(T0 + 60_000, (window, windowMs) -> { });
        for (int i = 0; i < 70; i++) {
            state.silence.learn(T0 + (i + 1) * 1_000L, T0 + i * 1_000L);
            state.seen.record(T0 + i * 1_000L, i, 0b111);
        }
        state.newestTsMs = T0 + 69_000;
        state.lastReceivedAtMs = T0 + 69_005;
        return state;
    }

    @Test
    void survivesItsEncodingByteForByte() {
        DeviceState state = populated();
        byte[] encoded = state.encode();
        DeviceState decoded = DeviceState.decode(encoded);
        assertArrayEquals(encoded, decoded.encode());
        assertEquals(state.newestTsMs, decoded.newestTsMs);
        assertEquals(1, decoded.slotOf("humidity"));
        assertEquals(state.windows.earliestOpenEndMs(), decoded.windows.earliestOpenEndMs());
        assertEquals(0b111, decoded.seen.seenMetrics(T0 + 42_000, 42));
    }

    @Test
    void aDeviceWithFourMetricsAtOneReadingASecondTakesAFewKilobytes() {
        DeviceState state = populated();
        int slot = state.claimSlot("battery", 64, 3_600_000, T0);
        state.windows.add(slot, 3.7, T0 + 69_000, T0 + 69_005);
        for (int i = 70; i < 256; i++) {
            state.seen.record(T0 + i * 1_000L, i, 0b1111);
        }
        int bytes = state.encode().length;
        assertTrue(bytes < 3_072, "encoded in " + bytes + " bytes");
    }

    @Test
    void closesAMinuteIntoItsHourAndTheHourOnceItsLastMinuteClosed() {
        DeviceState state = populated();
        List<Long> closed = new ArrayList<>();
        state.windows.closeThrough(T0 + 3 * 3_600_000L, (window, windowMs) -> closed.add(windowMs));
        assertEquals(List.of(OpenWindows.MINUTE_MS, OpenWindows.MINUTE_MS, OpenWindows.MINUTE_MS,
                OpenWindows.HOUR_MS, OpenWindows.HOUR_MS, OpenWindows.HOUR_MS), closed);
        assertEquals(OpenWindows.NONE, state.windows.earliestOpenEndMs());
    }

    @Test
    void readsTheFormatOfProcessorsBeforeTheBaselinesAndItsMetricsLearnThemAfresh() {
        DeviceState state = populated();
        // Format 1 is format 2 without the detectors' baseline part: a fresh metric's ends with 10 bytes (the longest flat
        // run, 8; the count of changes, 1; the baseline's count of readings, 1), which an old processor never wrote.
        StateWriter old = new StateWriter(256);
        old.writeByte(1).writeLong(state.newestTsMs).writeLong(state.lastReceivedAtMs).writeVarLong(state.slots.size());
        for (DeviceState.MetricSlot slot : state.slots) {
            StateWriter detectors = new StateWriter(64);
            slot.detectors.write(detectors);
            byte[] current = detectors.toByteArray();
            old.writeByte(1).writeString(slot.name).writeBytes(current, 0, current.length - 10);
        }
        state.windows.write(old);
        state.silence.write(old);
        state.seen.write(old);

        DeviceState upgraded = DeviceState.decode(old.toByteArray());
        assertArrayEquals(state.encode(), upgraded.encode(), "read whole, written back in format 2");
        assertEquals(1, upgraded.slotOf("humidity"));
        assertEquals(0b111, upgraded.seen.seenMetrics(T0 + 42_000, 42));
    }

    @Test
    void refusesAValueOfAnotherFormatWithAClearMessage() {
        byte[] encoded = populated().encode();
        encoded[0] = 9;
        IllegalStateException refused = assertThrows(IllegalStateException.class, () -> DeviceState.decode(encoded));
        assertTrue(refused.getMessage().contains("format 9"), refused.getMessage());
    }
}
