package io.sluice.processor.state;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Writes a device's state in its compact binary form: variable-length integers (zig-zag for signed
 * ones, so that small deltas take one byte), doubles as their 8 IEEE bytes, strings as a length and
 * UTF-8. Read back by {@link StateReader}; each part of the state (device, windows, detectors, reading log) writes and reads its own fields.
 */
public final class StateWriter {

    private byte[] bytes;
    private int size;

    public StateWriter(int capacity) {
        bytes = new byte[Math.max(16, capacity)];
    }

    private void ensure(int more) {
        if (size + more > bytes.length) {
            bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, size + more));
        }
    }

    public StateWriter writeByte(int b) {
        ensure(1);
        bytes[size++] = (byte) b;
        return this;
    }

    /** An unsigned variable-length integer: seven bits a byte, low bits first. */
    public StateWriter writeVarLong(long value) {
        ensure(10);
        while ((value & ~0x7FL) != 0) {
            bytes[size++] = (byte) ((value & 0x7F) | 0x80);
            value >>>= 7;
        }
        bytes[size++] = (byte) value;
        return this;
    }

    /** A signed variable-length integer, zig-zag encoded: -1 and 1 take a byte each. */
    public StateWriter writeSignedVarLong(long value) {
        return writeVarLong((value << 1) ^ (value >> 63));
    }

    public StateWriter writeLong(long value) {
        ensure(8);
        for (int i = 0; i < 8; i++) {
            bytes[size++] = (byte) (value >>> (8 * i));
        }
        return this;
    }

    public StateWriter writeDouble(double value) {
        return writeLong(Double.doubleToRawLongBits(value));
    }

    public StateWriter writeString(String value) {
        byte[] utf8 = value.getBytes(StandardCharsets.UTF_8);
        writeVarLong(utf8.length);
        return writeBytes(utf8, 0, utf8.length);
    }

    public StateWriter writeBytes(byte[] source, int offset, int length) {
        ensure(length);
        System.arraycopy(source, offset, bytes, size, length);
        size += length;
        return this;
    }

    public int size() {
        return size;
    }

    public byte[] toByteArray() {
        return Arrays.copyOf(bytes, size);
    }
}
