package io.sluice.load;

import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.HdrHistogram.Histogram;

import io.sluice.clickhouse.ClickHouseQueries;

/**
 * Samples end-to-end latency, from publish to queryable in ClickHouse: five times a second it takes
 * the latest acknowledged publish the simulator offered, and one query on the table's primary key asks
 * ClickHouse which of the oldest samples still awaited are there now: every 20 ms while they are young
 * (a figure good to about 20 ms plus the query's own time), less often as they age. An earlier version
 * looked samples up without the index, 50 times a second: on two cores that alone added seconds to the
 * end-to-end latency it measured.
 */
final class EndToEndSampler implements AutoCloseable {

    private static final long POLL_MS = 20;
    private static final long GIVE_UP_MS = 120_000;
    private static final long FAILED_POLL_PAUSE_MS = 200;
    private static final long SAMPLE_EVERY_MS = 200;
    private static final int MAX_OUTSTANDING = 200;
    private static final int POLLED_AT_ONCE = 16;

    private final ClickHouseQueries clickHouse;
    private final AtomicReference<FleetSimulator.AckSample> latest = new AtomicReference<>();
    private final Histogram millis = new Histogram(GIVE_UP_MS, 3);
    private final java.util.List<FleetSimulator.AckSample> outstanding = new java.util.ArrayList<>();
    private final Thread thread;
    private volatile boolean running = true;
    private long missed;

    EndToEndSampler(ClickHouseQueries clickHouse) {
        this.clickHouse = clickHouse;
        this.thread = new Thread(this::sample, "end-to-end-sampler");
        thread.setDaemon(true);
        thread.start();
    }

    /** Offered by the simulator's event loops: keeps only the latest. */
    void offer(FleetSimulator.AckSample sample) {
        latest.set(sample);
    }

    private void sample() {
        long nextSampleMs = 0;
        while (running || !outstanding.isEmpty()) {
            long pauseMs;
            try {
                long now = System.currentTimeMillis();
                if (running && now >= nextSampleMs && outstanding.size() < MAX_OUTSTANDING) {
                    FleetSimulator.AckSample sample = latest.getAndSet(null);
                    if (sample != null) {
                        outstanding.add(sample);
                    }
                    nextSampleMs = now + SAMPLE_EVERY_MS;
                }
                if (!outstanding.isEmpty()) {
                    poll();
                }
                pauseMs = pollEveryMs(now);
            } catch (InterruptedException e) {
                return;
            } catch (Exception e) {
                // ClickHouse unreachable (a fault under test, a restart): ask again later, not in a tight loop that
                // takes the CPU the simulator's event loops need (it did: 550 µs per message with ClickHouse down)
                missed++;
                pauseMs = FAILED_POLL_PAUSE_MS;
            }
            try {
                Thread.sleep(pauseMs);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /**
     * Every 20 ms while the oldest sample is young; when the pipeline lags, every twentieth of its age (at
     * most every 500 ms): a figure stays within 5%, and a lagging ClickHouse is not asked 50 times a second.
     */
    private long pollEveryMs(long now) {
        long oldestAge = outstanding.isEmpty() ? 0 : now - outstanding.get(0).publishedAtMs();
        return Math.max(POLL_MS, Math.min(500, oldestAge / 20));
    }

    /**
     * One query for the oldest samples still awaited, narrowed by the table's primary key (device, metric,
     * time), so that its cost does not grow with the table: an unindexed lookup 50 times a second would
     * itself load the ClickHouse being measured.
     */
    private void poll() throws Exception {
        List<FleetSimulator.AckSample> oldest = outstanding.subList(0, Math.min(POLLED_AT_ONCE, outstanding.size()));
        StringBuilder devices = new StringBuilder();
        StringBuilder times = new StringBuilder();
        for (FleetSimulator.AckSample sample : oldest) {
            devices.append(devices.isEmpty() ? "" : ",").append('\'').append(sample.deviceId()).append('\'');
            times.append(times.isEmpty() ? "" : ",").append(sample.tsMs());
        }
        java.util.Set<String> found = new java.util.HashSet<>();
        for (String[] row : clickHouse.rows("SELECT DISTINCT device_id, ts_ms FROM sluice.telemetry WHERE device_id IN (" + devices
                + ") AND metric = '" + DeviceSignal.METRICS[0] + "' AND ts_ms IN (" + times + ")")) {
            found.add(row[0] + "@" + row[1]);
        }
        long now = System.currentTimeMillis();
        for (java.util.Iterator<FleetSimulator.AckSample> it = outstanding.iterator(); it.hasNext(); ) {
            FleetSimulator.AckSample sample = it.next();
            if (found.contains(sample.deviceId() + "@" + sample.tsMs())) {
                synchronized (millis) {
                    millis.recordValue(Math.max(0, Math.min(GIVE_UP_MS, now - sample.publishedAtMs())));
                }
                it.remove();
            } else if (now - sample.publishedAtMs() > GIVE_UP_MS) {
                missed++;
                it.remove();
            }
        }
    }

    /** Stops sampling (a sample under way is finished first, for up to {@code waitSeconds}) and returns the latencies in ms. */
    Histogram stop(long waitSeconds) throws InterruptedException {
        running = false;
        thread.join(TimeUnit.SECONDS.toMillis(waitSeconds));
        thread.interrupt();
        synchronized (millis) {
            return millis.copy();
        }
    }

    long missed() {
        return missed;
    }

    /** Stops at once (after a failure): the thread is interrupted first, so that closing waits at most a second. */
    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.interrupt();
        thread.join(1000);
    }
}
