package io.sluice.load;

import java.util.Random;

import io.sluice.load.FleetOptions.PayloadFormat;

/**
 * The readings one simulated device takes: four metrics on a daily cycle with noise, as an
 * environmental sensor would send them, in one of three device types (indoor, outdoor, cold store)
 * with their own levels and noise. Deterministic for a device index and a time. Writes its payloads
 * straight into a reused {@link StringBuilder}: the simulator must cost far less per message than
 * the system it measures, and {@code String.format} alone would cost more than the rest of a publish.
 * An injected anomaly ({@link LiveInjection}) bends the values while it lasts.
 */
final class DeviceSignal {

    static final String[] METRICS = {"temperature", "humidity", "pressure", "battery"};
    private static final double DAY_MS = 24 * 60 * 60 * 1000.0;
    /** Base temperature, its daily swing, and the noise of each device type. */
    private static final double[][] TYPES = {{21, 2, 0.1}, {12, 8, 0.3}, {-18, 0.5, 0.2}};

    private final Random noise;
    private final double phase;
    private final double baseTemperature;
    private final double swing;
    private final double temperatureNoise;
    private double temperature;
    private double humidity;
    private double pressure;
    private double battery;
    LiveInjection.Planned injection;

    DeviceSignal(int deviceIndex) {
        this.noise = new Random(deviceIndex * 7919L);
        double[] type = TYPES[deviceIndex % TYPES.length];
        this.phase = noise.nextDouble() * 2 * Math.PI;
        this.baseTemperature = type[0] + noise.nextDouble() * 4;
        this.swing = type[1];
        this.temperatureNoise = type[2];
    }

    /** Appends the payload of a reading at {@code tsMs} with sequence number {@code seq}, in {@code format}. */
    void payload(StringBuilder out, PayloadFormat format, String deviceId, long tsMs, long seq) {
        sample(tsMs, seq);
        if (format == PayloadFormat.JSON) {
            out.append("{\"ts\":").append(tsMs).append(",\"seq\":").append(seq).append(",\"metrics\":{\"temperature\":");
            fixed(out, temperature, 2).append(",\"humidity\":");
            fixed(out, humidity, 2).append(",\"pressure\":");
            fixed(out, pressure, 1).append(",\"battery\":");
            fixed(out, battery, 3).append("}}");
        } else {
            // SenML carries no sequence number: the reading's time (unique per device) is its key.
            out.append("[{\"bn\":\"").append(deviceId).append(":\",\"bt\":");
            fixed(out, tsMs / 1000.0, 3).append(",\"n\":\"temperature\",\"u\":\"Cel\",\"v\":");
            fixed(out, temperature, 2).append("},{\"n\":\"humidity\",\"u\":\"%RH\",\"v\":");
            fixed(out, humidity, 2).append("},{\"n\":\"pressure\",\"u\":\"hPa\",\"v\":");
            fixed(out, pressure, 1).append("},{\"n\":\"battery\",\"u\":\"%EL\",\"v\":");
            fixed(out, battery, 3).append("}]");
        }
    }

    /** The values of {@link #METRICS} at {@code tsMs}, rounded as a payload carries them: the storage benchmark's readings. */
    double[] sent(long tsMs, long seq) {
        sample(tsMs, seq);
        return new double[] {rounded(temperature, 2), rounded(humidity, 2), rounded(pressure, 1), rounded(battery, 3)};
    }

    private static double rounded(double value, int decimals) {
        return Double.parseDouble(fixed(new StringBuilder(), value, decimals).toString());
    }

    private void sample(long tsMs, long seq) {
        boolean stuck = injection != null && injection.bends(LiveInjection.Kind.STUCK, seq);
        if (!stuck) {
            double day = Math.sin(2 * Math.PI * tsMs / DAY_MS + phase);
            temperature = baseTemperature + swing * day + noise.nextGaussian() * temperatureNoise;
            humidity = 50 - 15 * day + noise.nextGaussian();
            pressure = 1013 + noise.nextGaussian() * 2;
            battery = Math.max(0, 100 - seq * 0.001);
            if (injection != null && injection.bends(LiveInjection.Kind.SPIKE, seq)) {
                humidity += 60;
            }
            if (injection != null && injection.bends(LiveInjection.Kind.DRIFT, seq)) {
                temperature += 4.0 * (seq - injection.firstSeq() + 1);
            }
        }
    }

    private static final long[] POWERS = {1, 10, 100, 1000, 10_000};

    /** Appends {@code value} with {@code decimals} digits after the point (as %.Nf would, without its cost). */
    static StringBuilder fixed(StringBuilder out, double value, int decimals) {
        long scaled = Math.round(Math.abs(value) * POWERS[decimals]);
        if (value < 0 && scaled != 0) {
            out.append('-');
        }
        out.append(scaled / POWERS[decimals]);
        if (decimals > 0) {
            out.append('.');
            long fraction = scaled % POWERS[decimals];
            for (long p = POWERS[decimals - 1]; p > 1 && fraction < p; p /= 10) {
                out.append('0');
            }
            out.append(fraction);
        }
        return out;
    }
}
