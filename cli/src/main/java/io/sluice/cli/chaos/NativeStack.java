package io.sluice.cli.chaos;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The running native stack as a fault injector sees it: its processes by name (their pids under
 * {@code $SLUICE_HOME/run/}), and {@code ./sluice} to bring back what is not running ({@code up} starts only what is
 * missing) or to restart the bridges one at a time.
 */
public final class NativeStack implements ChaosStack {

    private final Path home;
    private final Path script;

    public NativeStack(Path home, Path script) {
        this.home = home;
        this.script = script;
    }

    @Override
    public Path kafkaDataDir() {
        return home.resolve("kafka").resolve("data");
    }

    @Override
    public boolean running(String name) {
        return process(name).isPresent();
    }

    @Override
    public Path logs() {
        return home.resolve("logs");
    }

    /** The process {@code name} of the stack (bridge-1, processor-1, kafka, clickhouse, sink-1...), if it runs. */
    Optional<ProcessHandle> process(String name) {
        Path pidFile = home.resolve("run").resolve(name + ".pid");
        try {
            long pid = Long.parseLong(Files.readString(pidFile).strip());
            return ProcessHandle.of(pid).filter(ProcessHandle::isAlive);
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    @Override
    public void kill(String name) {
        ProcessHandle process = process(name).orElseThrow(() -> new IllegalStateException(name + " is not running"));
        process.destroyForcibly();
        awaitExit(process, Duration.ofSeconds(30));
    }

    @Override
    public void stop(String name) {
        ProcessHandle process = process(name).orElseThrow(() -> new IllegalStateException(name + " is not running"));
        process.destroy();
        awaitExit(process, Duration.ofSeconds(90));
    }

    /** {@code ./sluice up}: starts whatever is not running and waits until it is ready. */
    @Override
    public void up() {
        sluice(List.of("up"));
    }

    /** {@code ./sluice restart bridges}: each bridge drains and starts again before the next goes. */
    @Override
    public void restartBridges() {
        sluice(List.of("restart", "bridges"));
    }

    private void sluice(List<String> arguments) {
        Path log = home.resolve("logs").resolve("chaos-sluice.log");
        try {
            Files.createDirectories(log.getParent());
            ProcessBuilder builder = new ProcessBuilder(concat(script.toString(), arguments));
            // Never a build in the middle of a scenario: the jars must not change under the running processes.
            builder.environment().put("SLUICE_NO_BUILD", "1");
            Process process = builder.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
            if (!process.waitFor(10, TimeUnit.MINUTES) || process.exitValue() != 0) {
                process.destroyForcibly();
                throw new IllegalStateException("./sluice " + String.join(" ", arguments) + " failed; see " + log);
            }
        } catch (IOException e) {
            throw new IllegalStateException("could not run " + script + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted");
        }
    }

    private static List<String> concat(String first, List<String> rest) {
        return java.util.stream.Stream.concat(java.util.stream.Stream.of(first), rest.stream()).toList();
    }

    private static void awaitExit(ProcessHandle process, Duration timeout) {
        try {
            process.onExit().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            process.destroyForcibly();
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
