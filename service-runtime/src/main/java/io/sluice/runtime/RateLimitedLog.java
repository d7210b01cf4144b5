package io.sluice.runtime;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A log for lines that outsiders can cause (a refused login, a rejected publish, a malformed packet): at most
 * {@code perSecond} lines a second, so that a flood of bad input cannot flood the log or the disk under it. Lines over
 * the rate are counted, and the next line written says how many were left out.
 */
public final class RateLimitedLog {

    private static final String LEFT_OUT = " ({} similar lines left out before this one)";

    private final Logger log;
    private final int perSecond;
    private final AtomicLong second = new AtomicLong();
    private final AtomicLong written = new AtomicLong();
    private final AtomicLong suppressed = new AtomicLong();

    public RateLimitedLog(Class<?> owner, int perSecond) {
        this.log = LoggerFactory.getLogger(owner);
        this.perSecond = perSecond;
    }

    public void info(String format, Object... arguments) {
        if (log.isInfoEnabled() && admit()) {
            long left = suppressed.getAndSet(0);
            log.info(left == 0 ? format : format + LEFT_OUT, left == 0 ? arguments : append(arguments, left));
        }
    }

    public void warn(String format, Object... arguments) {
        if (log.isWarnEnabled() && admit()) {
            long left = suppressed.getAndSet(0);
            log.warn(left == 0 ? format : format + LEFT_OUT, left == 0 ? arguments : append(arguments, left));
        }
    }

    private boolean admit() {
        long now = System.nanoTime() / 1_000_000_000L;
        long current = second.get();
        if (current != now && second.compareAndSet(current, now)) {
            written.set(0);
        }
        if (written.incrementAndGet() <= perSecond) {
            return true;
        }
        suppressed.incrementAndGet();
        return false;
    }

    private static Object[] append(Object[] arguments, long left) {
        Object[] all = Arrays.copyOf(arguments, arguments.length + 1);
        all[arguments.length] = left;
        return all;
    }
}
