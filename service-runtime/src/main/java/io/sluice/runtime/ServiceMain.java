package io.sluice.runtime;

import java.util.concurrent.CountDownLatch;

import org.apache.kafka.common.config.ConfigException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How every Sluice service's {@code main} runs: a bad setting ends the process with one line on
 * standard error and exit code 2 (no stack trace for a user's mistake); SIGTERM and SIGINT close
 * the service cleanly; an unexpected failure is logged and ends the process with exit code 1.
 */
public final class ServiceMain {

    private static final Logger LOG = LoggerFactory.getLogger(ServiceMain.class);

    /** Builds and starts a service; what it returns is closed at shutdown. */
    @FunctionalInterface
    public interface Starter {
        AutoCloseable start() throws Exception;
    }

    private ServiceMain() {
    }

    /** SLUICE_LOG_FORMAT names the appender of log4j2.properties: text (unset) or json; anything else would log nothing. */
    static void checkLogFormat(String format) {
        if (format != null && !format.equals("text") && !format.equals("json")) {
            throw new ConfigException("SLUICE_LOG_FORMAT must be text or json, got '" + format + "'");
        }
    }

    public static void run(String serviceName, Starter starter) {
        AutoCloseable service;
        try {
            checkLogFormat(System.getenv("SLUICE_LOG_FORMAT"));
            service = starter.start();
        } catch (ConfigException e) {
            System.err.println(serviceName + ": configuration error: " + e.getMessage());
            System.exit(2);
            return;
        } catch (Exception e) {
            LOG.error("{} failed to start", serviceName, e);
            System.exit(1);
            return;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            LOG.info("{} shutting down", serviceName);
            try {
                service.close();
            } catch (Exception e) {
                LOG.warn("{} did not close cleanly", serviceName, e);
            }
            stopped.countDown();
        }, "shutdown"));
        LOG.info("{} started", serviceName);
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
