package io.sluice.cli.chaos;

import java.nio.file.Path;

/**
 * What the faults act on: the stack's processes by name ({@code bridge-1}, {@code processor-1}, {@code kafka},
 * {@code clickhouse}, {@code sink-1}). {@link NativeStack} is the one {@code ./sluice up} runs; the tests bring their
 * own, of the same processes on free ports.
 */
public interface ChaosStack {

    /** SIGKILL: the process gets no chance to finish anything; returns once it is gone. */
    void kill(String name);

    /** SIGTERM, as an operator or an orchestrator stops a process; returns once it is gone. */
    void stop(String name);

    /** Starts whatever is not running and waits until it is ready. */
    void up();

    /** Restarts the bridges one at a time, each drained before it goes. */
    void restartBridges();

    /** Kafka's log directory, which the disk-full scenario puts on a small filesystem. */
    Path kafkaDataDir();

    /** Whether the process {@code name} runs. */
    boolean running(String name);

    /** Where a scenario's helpers log. */
    Path logs();
}
