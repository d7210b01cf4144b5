package io.sluice.cli;

import java.util.concurrent.Callable;

import org.apache.kafka.common.config.ConfigException;

import io.sluice.sink.SchemaUpgrade;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code sluice clickhouse upgrade}: the portable tables copied into the current dialect, once the server is current. */
@Command(name = "clickhouse", header = "ClickHouse schema: upgrade the portable tables to the current dialect",
        description = {"ClickHouse schema operations. The dialect of a database is chosen when its first sink starts:",
        "portable tables stay portable after a server upgrade until this copies them (docs/querying.md)."},
        subcommands = ClickHouseCommand.Upgrade.class)
final class ClickHouseCommand implements Runnable {

    @Override
    public void run() {
        throw new UserError("needs a subcommand: upgrade");
    }

    @Command(name = "upgrade", header = "Copy the portable tables into the current dialect (ClickHouse 23.8 and later)",
            description = {"Copy every portable table into the current dialect (LowCardinality ids, measured codecs, TTL",
            "retention) on a server of 23.8 or later: each table is created anew, its rows copied and counted, and the",
            "two swapped; the old one stays as <table>__portable until you drop it. Stop the sinks first (Kafka keeps",
            "what arrives meanwhile); running it again after an interruption goes on where it stopped."})
    static final class Upgrade implements Callable<Integer> {
        @Mixin
        StackOptions stack;

        @Override
        public Integer call() throws Exception {
            try {
                SchemaUpgrade.toCurrent(stack.runningClickHouse(), System.out::println);
            } catch (ConfigException e) {
                throw new UserError(e.getMessage());
            }
            return 0;
        }
    }
}
