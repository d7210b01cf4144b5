package io.sluice.processor.rollup;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

import io.sluice.processor.state.StateReader;
import io.sluice.processor.state.StateWriter;

/**
 * One device's open rollup windows, per metric slot: the minutes still taking readings, and the hour
 * each closed minute adds into. Windows follow the device's own time (its readings' ts):
 *
 * <ul>
 *   <li>a reading adds into its minute, unless it is <em>late</em>: its minute is closed, or the device's
 *       newest reading is {@code grace} past the minute's end. A late reading stays in the raw table
 *       but in no rollup (it is counted);</li>
 *   <li>a minute closes once the device's newest reading is {@code grace} past its end (or the device
 *       has gone quiet: the owner closes it on the partition's time); it is emitted once, and added
 *       into its hour;</li>
 *   <li>an hour is the sum of its closed minutes and is emitted once its last minute closed. So an
 *       hour's figures are exactly those of its minutes, however late or retransmitted readings came.</li>
 * </ul>
 */
public final class OpenWindows {

    public static final long MINUTE_MS = 60_000;
    public static final long HOUR_MS = 3_600_000;
    /** No open window. */
    public static final long NONE = Long.MAX_VALUE;

    /** Receives each window as it closes. */
    public interface Closed {
        void closed(WindowPartial window, long windowMs);
    }

    /** Open minutes, ordered by start then slot: closing them is a walk from the front. */
    private final List<WindowPartial> minutes = new ArrayList<>(4);
    /** At most one open hour per slot: every minute before it has closed into it. */
    private final List<WindowPartial> hours = new ArrayList<>(4);
    /** Every minute ending at or before this is closed; a reading for one of them is late. */
    private long closedThroughMs = Long.MIN_VALUE;

    public long closedThroughMs() {
        return closedThroughMs;
    }

    /** Whether a reading taken at {@code ts} is too late for its minute, given the device's newest reading time. */
    public boolean isLate(long ts, long newestTsMs, long graceMs) {
        long end = Math.floorDiv(ts, MINUTE_MS) * MINUTE_MS + MINUTE_MS;
        return end <= closedThroughMs || (newestTsMs != Long.MIN_VALUE && end + graceMs <= newestTsMs);
    }

    /** Adds a reading (not late) into its minute. */
    public void add(int slot, double value, long ts, long receivedAtMs) {
        long start = Math.floorDiv(ts, MINUTE_MS) * MINUTE_MS;
        int at = 0;
        for (; at < minutes.size(); at++) {
            WindowPartial open = minutes.get(at);
            if (open.startMs == start && open.slot == slot) {
                open.add(value, ts, receivedAtMs);
                return;
            }
            if (open.startMs > start || (open.startMs == start && open.slot > slot)) {
                break;
            }
        }
        WindowPartial window = new WindowPartial(slot, start);
        window.add(value, ts, receivedAtMs);
        minutes.add(at, window);
    }

    /** Where the earliest open window (minute or hour) ends, or {@link #NONE}. */
    public long earliestOpenEndMs() {
        long earliest = minutes.isEmpty() ? NONE : minutes.get(0).startMs + MINUTE_MS;
        for (WindowPartial hour : hours) {
            earliest = Math.min(earliest, hour.startMs + HOUR_MS);
        }
        return earliest;
    }

    /** Closes every minute ending at or before {@code boundMs} into its hour, then every hour ending at or before it. */
    public void closeThrough(long boundMs, Closed sink) {
        Iterator<WindowPartial> open = minutes.iterator();
        while (open.hasNext()) {
            WindowPartial minute = open.next();
            if (minute.startMs + MINUTE_MS > boundMs) {
                break;
            }
            open.remove();
            sink.closed(minute, MINUTE_MS);
            addIntoHour(minute, sink);
        }
        Iterator<WindowPartial> hourIterator = hours.iterator();
        while (hourIterator.hasNext()) {
            WindowPartial hour = hourIterator.next();
            if (hour.startMs + HOUR_MS <= boundMs) {
                hourIterator.remove();
                sink.closed(hour, HOUR_MS);
            }
        }
        closedThroughMs = Math.max(closedThroughMs, Math.floorDiv(boundMs, MINUTE_MS) * MINUTE_MS);
    }

    private void addIntoHour(WindowPartial minute, Closed sink) {
        long hourStart = Math.floorDiv(minute.startMs, HOUR_MS) * HOUR_MS;
        for (int i = 0; i < hours.size(); i++) {
            WindowPartial hour = hours.get(i);
            if (hour.slot != minute.slot) {
                continue;
            }
            if (hour.startMs == hourStart) {
                hour.merge(minute);
                return;
            }
            // A minute of a later hour closed: every minute of the earlier one is closed, so it is complete.
            hours.remove(i);
            sink.closed(hour, HOUR_MS);
            break;
        }
        WindowPartial hour = new WindowPartial(minute.slot, hourStart);
        hour.merge(minute);
        hours.add(hour);
    }

    /** Whether any window of the slot is open (a metric slot is reused only once none is). */
    public boolean hasOpen(int slot) {
        for (WindowPartial w : minutes) {
            if (w.slot == slot) {
                return true;
            }
        }
        for (WindowPartial w : hours) {
            if (w.slot == slot) {
                return true;
            }
        }
        return false;
    }

    public void write(StateWriter out) {
        out.writeLong(closedThroughMs);
        out.writeVarLong(minutes.size());
        for (WindowPartial w : minutes) {
            w.write(out);
        }
        out.writeVarLong(hours.size());
        for (WindowPartial w : hours) {
            w.write(out);
        }
    }

    public static OpenWindows read(StateReader in) {
        OpenWindows windows = new OpenWindows();
        windows.closedThroughMs = in.readLong();
        for (int i = in.readVarInt(); i > 0; i--) {
            windows.minutes.add(WindowPartial.read(in));
        }
        for (int i = in.readVarInt(); i > 0; i--) {
            windows.hours.add(WindowPartial.read(in));
        }
        return windows;
    }
}
