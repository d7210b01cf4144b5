package io.sluice.processor.device;

import java.util.Arrays;

import io.sluice.processor.state.StateReader;
import io.sluice.processor.state.StateWriter;

/**
 * What a device sent recently, to recognise a retransmission: each event's natural key (its time and
 * sequence number) with the metrics seen under it, in arrival order. A device that resends a publish
 * (a QoS 1 retransmission after a reconnect, a bridge retry) finds its event here and its readings are
 * dropped as duplicates; an event with the same key and other metrics adds only those.
 *
 * <p>Bounded: it keeps at most {@code maxEvents} events, and none older than the device's closed
 * windows (a reading that old is late anyway). Forgetting an event for room raises the <em>floor</em>:
 * a reading at or before it can no longer be checked, so the owner treats it as late rather than risk
 * counting it twice. A device that sends in time order never has to be searched: its new event is newer
 * than everything here.
 *
 * <p>Compact: entries are encoded as deltas from the one before (the first from zero), so a device
 * sending every second with a growing sequence number costs about four bytes an event.
 */
final class ReadingLog {

    /** The sequence number of an event that has none. */
    static final long NO_SEQUENCE = Long.MIN_VALUE;

    private byte[] entries;
    private int length;
    private int count;
    private long lastTs;
    private long lastSeq = NO_SEQUENCE;
    private long newestTs = Long.MIN_VALUE;
    private long floorTs = Long.MIN_VALUE;

    ReadingLog() {
        entries = new byte[32];
    }

    int events() {
        return count;
    }

    /** The newest event time forgotten for room: readings at or before it cannot be checked. */
    long floorTs() {
        return floorTs;
    }

    /** The metrics (bits of the device's metric slots) already seen under this key; 0 when none. */
    long seenMetrics(long ts, long seq) {
        if (ts > newestTs) {
            return 0; // newer than anything remembered: the common case needs no search
        }
        Cursor cursor = new Cursor();
        while (cursor.next()) {
            if (cursor.ts == ts && cursor.seq == seq) {
                return cursor.mask;
            }
        }
        return 0;
    }

    /** Records that the metrics in {@code mask} were seen under this key (adding to an entry of the same key). */
    void record(long ts, long seq, long mask) {
        if (ts <= newestTs) {
            Cursor cursor = new Cursor();
            while (cursor.next()) {
                if (cursor.ts == ts && cursor.seq == seq) {
                    replaceMask(cursor, cursor.mask | mask);
                    return;
                }
            }
        }
        StateWriter entry = new StateWriter(24);
        encode(entry, ts, seq, count == 0 ? 0 : lastTs, count == 0 ? NO_SEQUENCE : lastSeq, mask);
        append(entry);
        count++;
        lastTs = ts;
        lastSeq = seq;
        newestTs = Math.max(newestTs, ts);
    }

    /**
     * Forgets events older than {@code olderThanTs} (readings that old are late whatever this log says),
     * then the oldest ones until at most {@code maxEvents} remain, raising the floor past those.
     */
    void forget(long olderThanTs, int maxEvents) {
        if (count == 0) {
            return;
        }
        Cursor cursor = new Cursor();
        int dropped = 0;
        long newFloor = floorTs;
        int cut = 0;
        while (cursor.next()) {
            boolean stale = cursor.ts < olderThanTs;
            if (!stale && count - dropped <= maxEvents) {
                break;
            }
            if (!stale) {
                newFloor = Math.max(newFloor, cursor.ts);
            }
            dropped++;
            cut = cursor.position;
        }
        if (dropped == 0) {
            return;
        }
        floorTs = newFloor;
        if (dropped == count) {
            length = 0;
            count = 0;
            newestTs = Long.MIN_VALUE;
            return;
        }
        // The new first entry was written as a delta from the one before it: write it again from zero.
        Cursor head = new Cursor();
        for (int i = 0; i <= dropped; i++) {
            head.next();
        }
        StateWriter rewritten = new StateWriter(length - cut + 16);
        encode(rewritten, head.ts, head.seq, 0, NO_SEQUENCE, head.mask);
        rewritten.writeBytes(entries, head.position, length - head.position);
        entries = rewritten.toByteArray();
        length = entries.length;
        count -= dropped;
    }

    /** Forgets a metric slot's readings (the slot is being given to another metric). */
    void forgetSlot(int slot) {
        long bit = 1L << slot;
        StateWriter rewritten = new StateWriter(length);
        Cursor cursor = new Cursor();
        long previousTs = 0;
        long previousSeq = NO_SEQUENCE;
        while (cursor.next()) {
            encode(rewritten, cursor.ts, cursor.seq, previousTs, previousSeq, cursor.mask & ~bit);
            previousTs = cursor.ts;
            previousSeq = cursor.seq;
        }
        entries = rewritten.toByteArray();
        length = entries.length;
    }

    private static void encode(StateWriter out, long ts, long seq, long previousTs, long previousSeq, long mask) {
        out.writeSignedVarLong(ts - previousTs);
        if (seq == NO_SEQUENCE) {
            out.writeVarLong(0);
        } else {
            long base = previousSeq == NO_SEQUENCE ? 0 : previousSeq;
            long delta = seq - base;
            out.writeVarLong(((delta << 1) ^ (delta >> 63)) + 1);
        }
        out.writeVarLong(mask);
    }

    private void append(StateWriter entry) {
        int more = entry.size();
        if (length + more > entries.length) {
            entries = Arrays.copyOf(entries, Math.max(entries.length * 2, length + more));
        }
        System.arraycopy(entry.toByteArray(), 0, entries, length, more);
        length += more;
    }

    private void replaceMask(Cursor at, long mask) {
        StateWriter rewritten = new StateWriter(length + 10);
        rewritten.writeBytes(entries, 0, at.maskStart);
        rewritten.writeVarLong(mask);
        rewritten.writeBytes(entries, at.position, length - at.position);
        entries = rewritten.toByteArray();
        length = entries.length;
    }

    void write(StateWriter out) {
        out.writeVarLong(count);
        out.writeByte(floorTs == Long.MIN_VALUE ? 0 : 1);
        if (floorTs != Long.MIN_VALUE) {
            out.writeLong(floorTs);
        }
        if (count > 0) {
            out.writeLong(newestTs).writeLong(lastTs).writeLong(lastSeq);
            out.writeVarLong(length).writeBytes(entries, 0, length);
        }
    }

    static ReadingLog read(StateReader in) {
        ReadingLog log = new ReadingLog();
        log.count = in.readVarInt();
        if (in.readByte() != 0) {
            log.floorTs = in.readLong();
        }
        if (log.count > 0) {
            log.newestTs = in.readLong();
            log.lastTs = in.readLong();
            log.lastSeq = in.readLong();
            log.length = in.readVarInt();
            log.entries = in.readBytes(log.length);
        }
        return log;
    }

    /** Walks the entries in arrival order, decoding each key from the deltas. */
    private final class Cursor {
        private int position;
        private int index;
        private int maskStart;
        long ts;
        long seq = NO_SEQUENCE;
        long mask;

        boolean next() {
            if (index == count) {
                return false;
            }
            StateReader in = new StateReader(entries, position, length - position);
            int before = in.remaining();
            ts = (index == 0 ? 0 : ts) + in.readSignedVarLong();
            long seqCode = in.readVarLong();
            if (seqCode == 0) {
                seq = NO_SEQUENCE;
            } else {
                long zigzag = seqCode - 1;
                long base = index == 0 || seq == NO_SEQUENCE ? 0 : seq;
                seq = base + ((zigzag >>> 1) ^ -(zigzag & 1));
            }
            maskStart = position + (before - in.remaining());
            mask = in.readVarLong();
            position += before - in.remaining();
            index++;
            return true;
        }
    }
}
