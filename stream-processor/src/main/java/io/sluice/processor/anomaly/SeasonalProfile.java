package io.sluice.processor.anomaly;

import io.sluice.processor.state.StateReader;
import io.sluice.processor.state.StateWriter;

/**
 * What a metric usually reads at this time of the week: each hour of day's mean on past days, plus each day of the
 * week's offset from those hours (the day's mean distance from its hours' profile, on past weeks), so that a daily cycle
 * and a week whose weekends run lower or higher (traffic, demand, a building's occupancy) are both expected. Each learns
 * at {@value #WEIGHT} per day (per week for a day of the week), its first value whole; hours and days are UTC. The hours
 * learn what is left once a day's offset is taken out, so that the profile is the week's average day. At most 216 bytes
 * encoded for the hours, 71 for the days of the week.
 */
final class SeasonalProfile {

    static final int HOURS = 24;
    private static final int DAYS = 7;
    private static final long HOUR_MS = 3_600_000L;
    private static final long DAY_MS = 24 * HOUR_MS;
    private static final double WEIGHT = 0.3;

    private final double[] hours = new double[HOURS];
    private int hoursKnown;
    private int hourNow = -1;
    private double hourSum;
    private int hourReadings;
    private final double[] weekdays = new double[DAYS];
    private int weekdaysKnown;
    private int dayNow = -1;
    private double daySum;
    private int dayReadings;

    static int hourOf(long ts) {
        return (int) Math.floorMod(Math.floorDiv(ts, HOUR_MS), (long) HOURS);
    }

    /** 0 for Monday (the epoch's first day was a Thursday). */
    static int dayOf(long ts) {
        return (int) Math.floorMod(Math.floorDiv(ts, DAY_MS) + 3, (long) DAYS);
    }

    /** Starts with a metric's first reading. */
    void start(long ts, double value) {
        hourNow = hourOf(ts);
        hourSum = value;
        hourReadings = 1;
        dayNow = dayOf(ts);
    }

    /**
     * Learns one reading (in time order), closing the hour and the day before it when they are over; returns what is
     * expected at its time, as {@link #expected} would, or NaN while its hour has no profile.
     */
    double learn(long ts, double value) {
        int hour = hourOf(ts);
        if (hour != hourNow) {
            if (hourReadings > 0) {
                hoursKnown = fold(hours, hoursKnown, hourNow, hourSum / hourReadings);
            }
            hourNow = hour;
            hourSum = 0;
            hourReadings = 0;
        }
        int day = dayOf(ts);
        if (day != dayNow) {
            if (dayReadings > 0 && dayNow >= 0) {
                weekdaysKnown = fold(weekdays, weekdaysKnown, dayNow, daySum / dayReadings);
            }
            dayNow = day;
            daySum = 0;
            dayReadings = 0;
        }
        hourSum += value - weekday(day);
        hourReadings++;
        if ((hoursKnown & (1 << hour)) == 0) {
            return Double.NaN;
        }
        daySum += value - hours[hour];
        dayReadings++;
        return hours[hour] + weekday(day);
    }

    /** Learns a closed hour's or day's mean into its slot (its first whole), and returns the slots known since. */
    private static int fold(double[] slots, int known, int slot, double mean) {
        slots[slot] += ((known & (1 << slot)) != 0 ? WEIGHT : 1) * (mean - slots[slot]);
        return known | 1 << slot;
    }

    /** Writes the known slots' values, in order. */
    private static void writeKnown(StateWriter out, double[] slots, int known) {
        for (int slot = 0; slot < slots.length; slot++) {
            if ((known & (1 << slot)) != 0) {
                out.writeDouble(slots[slot]);
            }
        }
    }

    private static void readKnown(StateReader in, double[] slots, int known) {
        for (int slot = 0; slot < slots.length; slot++) {
            if ((known & (1 << slot)) != 0) {
                slots[slot] = in.readDouble();
            }
        }
    }

    /**
     * The usual value at {@code ts}: its hour's profile and its day of the week's offset (0 until that day was seen), or
     * NaN while its hour has no profile.
     */
    double expected(long ts) {
        int hour = hourOf(ts);
        return (hoursKnown & (1 << hour)) != 0 ? hours[hour] + weekday(dayOf(ts)) : Double.NaN;
    }

    private double weekday(int day) {
        return (weekdaysKnown & (1 << day)) != 0 ? weekdays[day] : 0;
    }

    void writeHours(StateWriter out) {
        out.writeVarLong(hoursKnown & 0xFFFFFFFFL);
        writeKnown(out, hours, hoursKnown);
        out.writeByte(hourNow + 1).writeDouble(hourSum).writeVarLong(hourReadings);
    }

    void readHours(StateReader in) {
        hoursKnown = (int) in.readVarLong();
        readKnown(in, hours, hoursKnown);
        hourNow = in.readByte() - 1;
        hourSum = in.readDouble();
        hourReadings = in.readVarInt();
    }

    /** The days of the week: what device state format 3 lacks (they then start afresh). */
    void writeWeekdays(StateWriter out) {
        out.writeByte(weekdaysKnown);
        writeKnown(out, weekdays, weekdaysKnown);
        out.writeByte(dayNow + 1).writeDouble(daySum).writeVarLong(dayReadings);
    }

    void readWeekdays(StateReader in) {
        weekdaysKnown = in.readByte();
        readKnown(in, weekdays, weekdaysKnown);
        dayNow = in.readByte() - 1;
        daySum = in.readDouble();
        dayReadings = in.readVarInt();
    }
}
