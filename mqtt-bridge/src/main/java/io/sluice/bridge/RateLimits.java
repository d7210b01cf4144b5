package io.sluice.bridge;

import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Token buckets by key (a source address, a client id): each key may spend {@code ratePerSecond} on
 * average, and up to {@code burst} at once. Buckets idle long enough to be full again are forgotten,
 * so the map stays as small as the set of recently active keys.
 */
final class RateLimits {

    private static final class Bucket {
        private double tokens;
        private long refilledNanos;

        Bucket(double tokens, long now) {
            this.tokens = tokens;
            this.refilledNanos = now;
        }
    }

    private final double ratePerSecond;
    private final double burst;
    private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();
    private long lastSweepNanos;

    /** A rate of 0 or less means unlimited. */
    RateLimits(double ratePerSecond, double burst) {
        this.ratePerSecond = ratePerSecond;
        this.burst = Math.max(1, burst);
    }

    boolean unlimited() {
        return ratePerSecond <= 0;
    }

    /** Takes one token for the key if there is one. */
    boolean tryTake(String key, long nowNanos) {
        if (unlimited()) {
            return true;
        }
        sweep(nowNanos);
        Bucket bucket = buckets.computeIfAbsent(key, k -> new Bucket(burst, nowNanos));
        synchronized (bucket) {
            refill(bucket, nowNanos);
            if (bucket.tokens < 1) {
                return false;
            }
            bucket.tokens -= 1;
            return true;
        }
    }

    /** Gives back a token taken with {@link #tryTake} (the event it was taken for did not count after all). */
    void refund(String key, long nowNanos) {
        if (unlimited()) {
            return;
        }
        Bucket bucket = buckets.get(key);
        if (bucket != null) {
            synchronized (bucket) {
                refill(bucket, nowNanos);
                bucket.tokens = Math.min(burst, bucket.tokens + 1);
            }
        }
    }

    /**
     * Takes one token for the key, going into debt if needed, and says how long the key should wait
     * before its next event to stay within the rate (0 when it had a token).
     */
    long take(String key, long nowNanos) {
        if (unlimited()) {
            return 0;
        }
        sweep(nowNanos);
        Bucket bucket = buckets.computeIfAbsent(key, k -> new Bucket(burst, nowNanos));
        synchronized (bucket) {
            refill(bucket, nowNanos);
            bucket.tokens -= 1;
            return bucket.tokens >= 0 ? 0 : (long) (-bucket.tokens / ratePerSecond * 1e9);
        }
    }

    private void refill(Bucket bucket, long nowNanos) {
        double earned = (nowNanos - bucket.refilledNanos) / 1e9 * ratePerSecond;
        bucket.tokens = Math.min(burst, bucket.tokens + earned);
        bucket.refilledNanos = nowNanos;
    }

    private void sweep(long nowNanos) {
        long fullAfterNanos = (long) (burst / ratePerSecond * 1e9);
        synchronized (this) {
            if (nowNanos - lastSweepNanos < 10_000_000_000L) {
                return;
            }
            lastSweepNanos = nowNanos;
        }
        for (Iterator<Bucket> it = buckets.values().iterator(); it.hasNext(); ) {
            Bucket bucket = it.next();
            synchronized (bucket) {
                if (nowNanos - bucket.refilledNanos > fullAfterNanos) {
                    it.remove();
                }
            }
        }
    }
}
