package io.sluice.processor.anomaly;

import io.sluice.processor.state.StateReader;
import io.sluice.processor.state.StateWriter;

/**
 * The range one signal has shown lately: its highest and lowest values, each fading towards the signal's centre with
 * the baseline's memory, so that a record stays a record for about that many readings and then slowly gives way (a
 * smooth signal's record widens the range by only part of its excess, so that a gradual change is not followed step by
 * step). A
 * value is novel when it goes beyond the range by more than a margin, as a share of the range: the signal's own scale,
 * whatever its unit, noise or quantisation. An envelope also keeps its detector's episode: one alert when novelty
 * starts, none until {@code episodeGap} readings in a row were not novel. 1 to 31 bytes encoded.
 */
final class Envelope {

    private static final double CENTRE_WEIGHT = 0.01;

    double high;
    double low;
    double centre;
    /** Readings seen since the range opened (high above low); 0 before the first reading. */
    long seen;
    int calm;
    boolean inEpisode;

    /** Beyond the range by more than this share of it, or NaN before there is a range. */
    double excess(double value) {
        double range = high - low;
        if (seen == 0 || !(range > 0)) {
            return Double.NaN;
        }
        return Math.max(value - high, low - value) / range;
    }

    /**
     * Readings the envelope vouches for when judging the next value: the smaller of the metric's readings (this one
     * included) and the envelope's own since its range opened.
     */
    long maturity(long metricReadings) {
        return Math.min(metricReadings, high > low ? seen + 1 : seen);
    }

    void learn(double value, double fading) {
        learn(value, fading, 1);
    }

    /** Learns {@code value}; a value beyond the range widens it by {@code reach} of the excess (1: all of it). */
    void learn(double value, double fading, double reach) {
        if (seen == 0) {
            high = value;
            low = value;
            centre = value;
            seen = 1;
            return;
        }
        if (high > low) {
            seen++;
        }
        high = Math.max(high - fading * (high - centre), value > high ? high + reach * (value - high) : value);
        low = Math.min(low + fading * (centre - low), value < low ? low + reach * (value - low) : value);
        centre += Math.max(CENTRE_WEIGHT, 1.0 / seen) * (value - centre);
    }

    /** Counts one reading into the episode; true when it opens one (an alert is due). */
    boolean opensEpisode(boolean novel, int episodeGap) {
        if (novel) {
            calm = 0;
            if (!inEpisode) {
                inEpisode = true;
                return true;
            }
        } else if (inEpisode && ++calm >= episodeGap) {
            inEpisode = false;
        }
        return false;
    }

    /** Encodes the envelope: its count, then nothing (empty), one value (no range yet) or the whole of it. */
    void write(StateWriter out) {
        out.writeVarLong(seen);
        if (seen == 0) {
            return;
        }
        boolean open = high > low;
        out.writeByte(open ? 1 : 0).writeDouble(high);
        if (open) {
            out.writeDouble(low).writeDouble(centre).writeVarLong(calm).writeByte(inEpisode ? 1 : 0);
        }
    }

    static Envelope read(StateReader in) {
        Envelope envelope = new Envelope();
        envelope.seen = in.readVarLong();
        if (envelope.seen == 0) {
            return envelope;
        }
        boolean open = in.readByte() == 1;
        envelope.high = in.readDouble();
        if (open) {
            envelope.low = in.readDouble();
            envelope.centre = in.readDouble();
            envelope.calm = in.readVarInt();
            envelope.inEpisode = in.readByte() == 1;
        } else {
            envelope.low = envelope.high;
            envelope.centre = envelope.high;
        }
        return envelope;
    }
}
