package io.sluice.testing;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.function.Predicate;

import org.awaitility.Awaitility;

/**
 * Waiting on a condition with a deadline, instead of sleeping and hoping: Awaitility, polling every 50 ms, with the
 * wait's name in its message. The tests' one way of saying it, so that a change of poll interval or library is here.
 */
public final class Await {

    private static final Duration POLL = Duration.ofMillis(50);

    private Await() {
    }

    /**
     * Polls {@code probe} until {@code done} accepts its value, and returns that value. A probe that throws is polled
     * again until the deadline.
     *
     * @throws org.awaitility.core.ConditionTimeoutException naming {@code what} and the last value, when the deadline passes
     */
    public static <T> T until(String what, Duration timeout, Callable<T> probe, Predicate<T> done) {
        return Awaitility.await(what).atMost(timeout).pollInterval(POLL).pollDelay(Duration.ZERO).ignoreExceptions()
                .until(probe, done::test);
    }

    public static void until(String what, Duration timeout, Callable<Boolean> condition) {
        until(what, timeout, condition, Boolean.TRUE::equals);
    }
}
