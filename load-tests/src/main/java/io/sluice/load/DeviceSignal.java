package io.sluice.load;

import java.util.Locale;
import java.util.Random;

/**
 * The readings one simulated device takes: four metrics on a daily cycle with noise, as an
 * environmental sensor would send them. Deterministic for a device index and a time.
 */
final class DeviceSignal {

    static final String[] METRICS = {"temperature", "humidity", "pressure", "battery"};
    private static final double DAY_MS = 24 * 60 * 60 * 1000.0;

    private final Random noise;
    private final double phase;
    private final double baseTemperature;

    DeviceSignal(int deviceIndex) {
        this.noise = new Random(deviceIndex * 7919L);
        this.phase = noise.nextDouble() * 2 * Math.PI;
        this.baseTemperature = 15 + noise.nextDouble() * 10;
    }

    /** The JSON payload of the contract, for a reading at {@code tsMs} with sequence number {@code seq}. */
    String payload(long tsMs, long seq) {
        double day = Math.sin(2 * Math.PI * tsMs / DAY_MS + phase);
        double temperature = baseTemperature + 5 * day + noise.nextGaussian() * 0.2;
        double humidity = 50 - 15 * day + noise.nextGaussian();
        double pressure = 1013 + noise.nextGaussian() * 2;
        double battery = Math.max(0, 100 - seq * 0.001);
        return String.format(Locale.ROOT,
                "{\"ts\":%d,\"seq\":%d,\"metrics\":{\"temperature\":%.2f,\"humidity\":%.2f,\"pressure\":%.1f,\"battery\":%.3f}}",
                tsMs, seq, temperature, humidity, pressure, battery);
    }
}
