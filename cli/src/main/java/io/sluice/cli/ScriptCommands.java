package io.sluice.cli;

import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * The commands the {@code ./sluice} script runs itself, because they must be shell: checking the machine, building,
 * starting and stopping processes, following their logs. They are declared here for their help and completion only;
 * run through this program they say where to run them.
 */
final class ScriptCommands {

    private ScriptCommands() {
    }

    /** Each script command, when this program is asked to run it. */
    abstract static class ScriptCommand implements Callable<Integer> {
        @Override
        public Integer call() {
            throw new UserError("this command is run by the ./sluice script");
        }
    }

    @Command(name = "demo", header = "Build, start the stack, run a simulated fleet for a minute, report what landed", description = {"Build, start the stack, run a simulated fleet for a minute (100 devices, 1,000 messages/s,",
            "8 anomalies injected) and report what landed. Sized by SLUICE_DEMO_DEVICES, SLUICE_DEMO_RATE,",
            "SLUICE_DEMO_SECONDS and SLUICE_DEMO_INJECT."})
    static final class Demo extends ScriptCommand {
    }

    @Command(name = "test", header = "Install what the tests need, then run every test", description = "Install what the tests need, then run every unit and integration test (mvn -B verify).")
    static final class Test extends ScriptCommand {
    }

    @Command(name = "up", header = "Start the native stack in the background", description = "Start the native stack in the background; running it again starts only what is missing.")
    static final class Up extends ScriptCommand {
        @Option(names = "--monitoring", description = {"also start Prometheus (Debian's prometheus package) on http://127.0.0.1:9090,",
                "scraping every process of the stack, with the alert rules of ops/prometheus/alerts.yml"})
        boolean monitoring;
    }

    @Command(name = "down", header = "Stop the native stack", description = "Stop exactly what up started and check that its ports are free again.")
    static final class Down extends ScriptCommand {
    }

    @Command(name = "build", header = "Build the runnable jars", description = "Build the runnable jars (*/target/*-all.jar).")
    static final class Build extends ScriptCommand {
    }

    @Command(name = "logs", header = "Follow a process's log", description = "Follow a process's log.")
    static final class Logs extends ScriptCommand {
        @Parameters(paramLabel = "NAME", description = "clickhouse, kafka, bridge-1, bridge-2, processor-N, sink-1, haproxy, haproxy-2")
        String name;
    }

    @Command(name = "restart", header = "Rolling restart of the bridges", description = "Rolling restart of the bridges, one at a time, each drained first (devices move to the other).")
    static final class Restart extends ScriptCommand {
        enum What { bridges }

        @Parameters(paramLabel = "bridges", description = "what to restart: bridges")
        What what;
    }

    @Command(name = "scale", header = "Run N stream-processor replicas", description = "Run N stream-processor replicas while the stack runs; the partitions rebalance within seconds.")
    static final class Scale extends ScriptCommand {
        enum What { processor }

        @Parameters(index = "0", paramLabel = "processor", description = "what to scale: processor")
        What what;

        @Parameters(index = "1", paramLabel = "N", description = "replicas, 1 to 12 (one per partition at most)")
        int replicas;
    }
}
