package io.sluice.load;

import java.util.Locale;

/**
 * How fast a fleet publishes over a run, in messages per second of the whole fleet:
 * <pre>
 *   steady:R                          R/s throughout
 *   ramp:FROM:TO                      from FROM/s to TO/s, linearly over the run
 *   burst:BASE:PEAK:AT:RISE:HOLD      BASE/s; at AT s rise to PEAK/s within RISE s, hold HOLD s, fall back within RISE s
 * </pre>
 * The simulator publishes {@link #due(double)} messages by each instant, so a profile is followed
 * exactly however the ticks fall.
 */
public sealed interface RateProfile {

    /** The fleet's rate at {@code t} seconds into the run. */
    double rateAt(double t);

    /** The highest rate the profile reaches. */
    double peak();

    /** Messages due by {@code t} seconds: the integral of the rate from the start. */
    double due(double t);

    String describe();

    record Steady(double rate) implements RateProfile {
        public double rateAt(double t) {
            return rate;
        }

        public double peak() {
            return rate;
        }

        @Override
        public double due(double t) {
            return rate * t;
        }

        public String describe() {
            return String.format(Locale.ROOT, "steady %,.0f msg/s", rate);
        }
    }

    record Ramp(double from, double to, double seconds) implements RateProfile {
        public double rateAt(double t) {
            return from + (to - from) * Math.min(1, Math.max(0, t / seconds));
        }

        public double peak() {
            return Math.max(from, to);
        }

        @Override
        public double due(double t) {
            double within = Math.min(t, seconds);
            return from * within + (to - from) * within * within / (2 * seconds) + to * Math.max(0, t - seconds);
        }

        public String describe() {
            return String.format(Locale.ROOT, "ramp %,.0f to %,.0f msg/s over %.0f s", from, to, seconds);
        }
    }

    record Burst(double base, double peakRate, double at, double rise, double hold) implements RateProfile {
        public double rateAt(double t) {
            double up = at + rise;
            double down = up + hold;
            if (t < at || t >= down + rise) {
                return base;
            }
            if (t < up) {
                return base + (peakRate - base) * (t - at) / rise;
            }
            if (t < down) {
                return peakRate;
            }
            return peakRate - (peakRate - base) * (t - down) / rise;
        }

        public double peak() {
            return Math.max(base, peakRate);
        }

        /** The rate is linear between these instants, so each piece integrates exactly as a trapezoid. */
        @Override
        public double due(double t) {
            double[] at = {0, this.at, this.at + rise, this.at + rise + hold, this.at + 2 * rise + hold};
            double sum = 0;
            for (int i = 0; i + 1 < at.length && at[i] < t; i++) {
                double end = Math.min(t, at[i + 1]);
                sum += (rateAt(at[i]) + rateAt(end - 1e-12)) * (end - at[i]) / 2;
            }
            return sum + base * Math.max(0, t - at[at.length - 1]);
        }

        public String describe() {
            return String.format(Locale.ROOT, "burst %,.0f msg/s, at %.0f s up to %,.0f msg/s within %.0f s, held %.0f s, back down",
                    base, at, peakRate, rise, hold);
        }
    }

    /** Parses a profile; {@code steadyRate} is the rate of {@code steady} without a number. Mistakes are one-line IllegalArgumentExceptions. */
    public static RateProfile parse(String text, double steadyRate, double runSeconds) {
        String[] parts = text.strip().split(":");
        try {
            switch (parts[0]) {
                case "steady":
                    expect(parts, 1, 2, text);
                    return positive(new Steady(parts.length == 2 ? Double.parseDouble(parts[1]) : steadyRate));
                case "ramp":
                    expect(parts, 3, 3, text);
                    return positive(new Ramp(Double.parseDouble(parts[1]), Double.parseDouble(parts[2]), runSeconds));
                case "burst":
                    expect(parts, 6, 6, text);
                    Burst burst = new Burst(Double.parseDouble(parts[1]), Double.parseDouble(parts[2]), Double.parseDouble(parts[3]),
                            Double.parseDouble(parts[4]), Double.parseDouble(parts[5]));
                    if (burst.rise() <= 0 || burst.hold() < 0 || burst.at() < 0) {
                        throw new IllegalArgumentException("--profile burst: RISE must be above 0 s, AT and HOLD not negative");
                    }
                    return positive(burst);
                default:
                    throw new IllegalArgumentException("--profile must be steady[:R], ramp:FROM:TO or burst:BASE:PEAK:AT:RISE:HOLD, got '"
                            + text + "'");
            }
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--profile takes numbers after its name, got '" + text + "'");
        }
    }

    private static void expect(String[] parts, int min, int max, String text) {
        if (parts.length < min || parts.length > max) {
            throw new IllegalArgumentException("--profile '" + text + "': wrong number of fields (steady[:R], ramp:FROM:TO,"
                    + " burst:BASE:PEAK:AT:RISE:HOLD)");
        }
    }

    private static RateProfile positive(RateProfile profile) {
        if (!(profile.peak() >= 1 && profile.peak() <= 1_000_000 && profile.rateAt(0) >= 0 && profile.rateAt(1e9) >= 0)) {
            throw new IllegalArgumentException("--profile rates must be 0 to 1000000 msg/s and reach at least 1, got "
                    + profile.describe());
        }
        return profile;
    }
}
