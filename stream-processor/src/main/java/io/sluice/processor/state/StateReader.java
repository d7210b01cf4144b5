package io.sluice.processor.state;

import java.nio.charset.StandardCharsets;

/** Reads what {@link StateWriter} wrote; a truncated or malformed value throws {@link IllegalStateException}. */
public final class StateReader {

    private final byte[] bytes;
    private int position;
    private final int end;

    public StateReader(byte[] bytes, int offset, int length) {
        this.bytes = bytes;
        this.position = offset;
        this.end = offset + length;
    }

    public StateReader(byte[] bytes) {
        this(bytes, 0, bytes.length);
    }

    private void need(int count) {
        if (position + count > end) {
            throw new IllegalStateException("device state ends early at byte " + position + " of " + end);
        }
    }

    public int readByte() {
        need(1);
        return bytes[position++] & 0xFF;
    }

    public long readVarLong() {
        long value = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            need(1);
            byte b = bytes[position++];
            value |= (long) (b & 0x7F) << shift;
            if (b >= 0) {
                return value;
            }
        }
        throw new IllegalStateException("device state has a malformed integer at byte " + position);
    }

    public int readVarInt() {
        long value = readVarLong();
        if (value < 0 || value > Integer.MAX_VALUE) {
            throw new IllegalStateException("device state has an out-of-range count " + value);
        }
        return (int) value;
    }

    public long readSignedVarLong() {
        long zigzag = readVarLong();
        return (zigzag >>> 1) ^ -(zigzag & 1);
    }

    public long readLong() {
        need(8);
        long value = 0;
        for (int i = 0; i < 8; i++) {
            value |= (long) (bytes[position++] & 0xFF) << (8 * i);
        }
        return value;
    }

    public double readDouble() {
        return Double.longBitsToDouble(readLong());
    }

    public String readString() {
        int length = readVarInt();
        need(length);
        String value = new String(bytes, position, length, StandardCharsets.UTF_8);
        position += length;
        return value;
    }

    /** Copies the next {@code length} bytes out. */
    public byte[] readBytes(int length) {
        need(length);
        byte[] copy = new byte[length];
        System.arraycopy(bytes, position, copy, 0, length);
        position += length;
        return copy;
    }

    public int remaining() {
        return end - position;
    }

    public boolean atEnd() {
        return position == end;
    }
}
