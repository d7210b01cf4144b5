package io.sluice.load;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.HdrHistogram.Histogram;

import io.sluice.sink.ClickHouseQueries;

/**
 * Samples end-to-end latency, from publish to queryable in ClickHouse: five times a second it takes
 * the latest acknowledged publish the simulator offered, and every 20 ms one query asks ClickHouse
 * which of the samples still awaited are there now. Measuring adds at most 50 small queries a second
 * to ClickHouse's load; a figure is good to about 20 ms (plus the query's own time).
 */
final class EndToEndSampler implements AutoCloseable {

    private static final long POLL_MS = 20;
    private static final long GIVE_UP_MS = 120_000;
    private static final long SAMPLE_EVERY_MS = 200;
    private static final int MAX_OUTSTANDING = 200;

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
                Thread.sleep(POLL_MS);
            } catch (InterruptedException e) {
                return;
            } catch (Exception e) {
                missed++;
            }
        }
    }

    /** One query for every sample still awaited: those now queryable are recorded, those awaited too long given up. */
    private void poll() throws Exception {
        StringBuilder keys = new StringBuilder();
        for (FleetSimulator.AckSample sample : outstanding) {
            keys.append(keys.isEmpty() ? "" : ",").append("('").append(sample.deviceId()).append("',").append(sample.tsMs()).append(')');
        }
        java.util.Set<String> found = new java.util.HashSet<>();
        for (String[] row : clickHouse.rows("SELECT DISTINCT device_id, ts_ms FROM sluice.telemetry WHERE (device_id, ts_ms) IN ("
                + keys + ")")) {
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

    @Override
    public void close() throws InterruptedException {
        stop(0);
    }
}
