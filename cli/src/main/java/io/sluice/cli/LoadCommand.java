package io.sluice.cli;

import java.time.Duration;
import java.util.concurrent.Callable;

import io.sluice.clickhouse.ClickHouseQueries;
import io.sluice.load.FleetOptions;
import io.sluice.load.FleetReport;
import io.sluice.load.FleetRun;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * {@code sluice load run|demo|publish}: the fleet simulator. {@code run} checks every acknowledged reading against
 * ClickHouse; {@code demo} also prints what is in ClickHouse afterwards; {@code publish} measures any MQTT broker's side
 * only.
 */
@Command(name = "load", header = "The fleet simulator: run, demo, publish",
        description = "Run the fleet simulator: devices over MQTT through HAProxy, every acknowledged reading"
        + " checked in ClickHouse.", subcommands = {LoadCommand.Run.class, LoadCommand.Demo.class, LoadCommand.Publish.class})
final class LoadCommand implements Runnable {

    static final int DEVICES = 100;
    static final int RATE = 1000;
    static final int SECONDS = 60;
    static final int CHECK_SECONDS = 60;

    @Override
    public void run() {
        throw new UserError("run, demo or publish? (./sluice load --help)");
    }

    /** Runs the fleet; with ClickHouse ({@code check}) every acknowledged reading is looked up. Returns the exit status. */
    static int fleet(FleetMixin fleetOptions, StackOptions stack, boolean check, boolean demo) throws Exception {
        FleetOptions fleet = fleetOptions.fleet(DEVICES, RATE, SECONDS);
        if (demo) {
            System.out.println();
            System.out.println("Running a simulated fleet through HAProxy for about a minute...");
        }
        ClickHouseQueries clickHouse = null;
        if (check) {
            clickHouse = stack.runningClickHouse();
        }
        FleetRun.Outcome outcome = FleetRun.run(fleet, clickHouse, fleetOptions.credentialsFile(), fleetOptions.reportDir(),
                Duration.ofSeconds(fleetOptions.checkSeconds(CHECK_SECONDS)), System.out, progress -> { });
        if (outcome.result().acked() == 0) {
            throw new UserError("no publish was acknowledged; is MQTT served at " + fleet.host() + ":" + fleet.port() + "?"
                    + (outcome.result().refusals().isEmpty() ? "" : " Connections failed: " + outcome.result().refusals()));
        }
        if (demo) {
            new FleetReport(System.out).clickHouseContents(clickHouse, fleet.runId());
            System.out.println();
            System.out.println("The stack is still running. Query it:  ./sluice query 'SELECT metric, count(), avg(value)"
                    + " FROM sluice.telemetry FINAL GROUP BY metric'");
            System.out.println("Look at it: ./sluice status      Stop it: ./sluice down");
        }
        return outcome.check() == null || outcome.check().exact() ? 0 : 1;
    }

    @Command(name = "run", sortOptions = false, header = "A fleet through the stack, then every acknowledged reading checked",
            description = {"A fleet through the stack, then every acknowledged reading checked",
            "against ClickHouse (defaults: 100 devices, 1,000 messages/s, 60 s, the check waits up to 60 s)."})
    static final class Run implements Callable<Integer> {
        @Mixin
        FleetMixin fleet;

        @Mixin
        StackOptions stack;

        @Override
        public Integer call() throws Exception {
            return fleet(fleet, stack, true, false);
        }
    }

    @Command(name = "demo", sortOptions = false, description = "As run, then what is in ClickHouse now (./sluice demo runs this).")
    static final class Demo implements Callable<Integer> {
        @Mixin
        FleetMixin fleet;

        @Mixin
        StackOptions stack;

        @Override
        public Integer call() throws Exception {
            return fleet(fleet, stack, true, true);
        }
    }

    @Command(name = "publish", sortOptions = false, description = "The fleet and its MQTT figures only, against any MQTT broker (no ClickHouse).")
    static final class Publish implements Callable<Integer> {
        @Mixin
        FleetMixin fleet;

        @Mixin
        StackOptions stack;

        @Override
        public Integer call() throws Exception {
            return fleet(fleet, stack, false, false);
        }
    }
}
