package io.sluice.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A server a test runs as a child process, with its output in a log file. It is stopped when closed,
 * and, should the test JVM die first, by a shutdown hook, so that no server outlives its test.
 */
final class ServerProcess implements AutoCloseable {

    private final String name;
    private final List<String> command;
    private final Path log;
    private final java.util.Map<String, String> environment;
    private Process process;
    private final Thread reaper;

    private ServerProcess(String name, List<String> command, Path log, java.util.Map<String, String> environment) {
        this.name = name;
        this.command = command;
        this.log = log;
        this.environment = environment;
        this.reaper = new Thread(this::reap, "stop-" + name);
    }

    static ServerProcess start(String name, List<String> command, Path log) throws IOException {
        return start(name, command, log, java.util.Map.of());
    }

    /** As {@link #start(String, List, Path)}, with these variables added to the environment. */
    static ServerProcess start(String name, List<String> command, Path log, java.util.Map<String, String> environment)
            throws IOException {
        ServerProcess server = new ServerProcess(name, command, log, environment);
        server.launch();
        Runtime.getRuntime().addShutdownHook(server.reaper);
        return server;
    }

    private void launch() throws IOException {
        Files.createDirectories(log.getParent());
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().putAll(environment);
        process = builder
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .start();
    }

    /** Waits until {@code ready} holds, failing early with the log's tail if the process exits. */
    void awaitReady(Duration timeout, java.util.concurrent.Callable<Boolean> ready) {
        Await.until(name + " to be ready", timeout, () -> {
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited with code " + process.exitValue() + ": " + tail());
            }
            return ready.call();
        });
    }

    /** Stops the server (SIGTERM, then SIGKILL after 10 s). */
    void stop() {
        stop(Duration.ofSeconds(10));
    }

    /**
     * Stops the server: SIGTERM, then SIGKILL once {@code grace} has passed.
     *
     * @return whether it had to be killed
     */
    boolean stop(Duration grace) {
        if (process != null && process.isAlive()) {
            process.destroy();
            try {
                if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                    return true;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return false;
    }

    /** SIGKILL, and waits until the process is gone. */
    void kill() {
        if (process != null && process.isAlive()) {
            try {
                process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    boolean alive() {
        return process != null && process.isAlive();
    }

    /** Starts the same command again, after {@link #stop()}. */
    void restart() throws IOException {
        stop();
        launch();
    }

    String tail() {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    private void reap() {
        if (process != null) {
            process.destroyForcibly();
        }
    }

    @Override
    public void close() {
        stop();
        try {
            Runtime.getRuntime().removeShutdownHook(reaper);
        } catch (IllegalStateException alreadyShuttingDown) {
            // The hook runs anyway.
        }
    }
}
