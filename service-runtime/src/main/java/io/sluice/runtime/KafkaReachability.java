package io.sluice.runtime;

import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether the Kafka cluster answers, checked in the background every couple of seconds so that a
 * readiness probe never waits on the network.
 */
public final class KafkaReachability implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaReachability.class);
    private static final int CHECK_TIMEOUT_MS = 1500;

    private final Admin admin;
    private final ScheduledExecutorService scheduler;
    private volatile boolean reachable;

    public KafkaReachability(KafkaConnection kafka, long intervalMs) {
        this.admin = Admin.create(kafka.client(Map.of(
                AdminClientConfig.CLIENT_ID_CONFIG, "sluice-readiness",
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, CHECK_TIMEOUT_MS,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, CHECK_TIMEOUT_MS)));
        this.scheduler = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "kafka-reachability");
            thread.setDaemon(true);
            return thread;
        });
        scheduler.scheduleWithFixedDelay(this::check, 0, intervalMs, TimeUnit.MILLISECONDS);
    }

    public boolean reachable() {
        return reachable;
    }

    private void check() {
        boolean now;
        try {
            now = !admin.describeCluster(new DescribeClusterOptions().timeoutMs(CHECK_TIMEOUT_MS))
                    .nodes().get(CHECK_TIMEOUT_MS + 500L, TimeUnit.MILLISECONDS).isEmpty();
        } catch (Exception e) {
            now = false;
        }
        if (now != reachable) {
            LOG.info("Kafka is {}", now ? "reachable" : "unreachable");
        }
        reachable = now;
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
        admin.close(java.time.Duration.ofSeconds(2));
    }
}
