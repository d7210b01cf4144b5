package io.sluice.cli;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import io.sluice.processor.balance.BalanceReport;
import io.sluice.schemas.kafka.Topics;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code sluice balance}: partition → replica, each partition's rate and lag, each replica's share, the imbalance figure. */
@Command(name = "balance", header = "Partition to replica assignment, rates, lag and the imbalance figure",
        sortOptions = false,
        description = {"Which processor replica holds each partition of the raw topic, each partition's rate (records/s over a",
                "sample) and lag, each replica's share, and the imbalance figure (the busiest replica's load over the mean).",
                "With --skew-model: the same figures for a simulated fleet in which a few devices are much louder."})
final class BalanceCommand implements Callable<Integer> {

    @Option(names = "--sample-seconds", paramLabel = "N", defaultValue = "5", description = "how long rates are sampled (default: ${DEFAULT-VALUE})")
    int sampleSeconds;

    @Option(names = "--group", paramLabel = "APPLICATION_ID", defaultValue = "sluice-stream-processor",
            description = "the processors' application id (default: ${DEFAULT-VALUE})")
    String group;

    @Option(names = "--json", paramLabel = "FILE", description = "also write the figures here (default: $SLUICE_HOME/bench/balance.json)")
    Path json;

    @ArgGroup(exclusive = false, heading = "%nThe skew model (no stack needed):%n")
    SkewModel skew;

    static final class SkewModel {
        @Option(names = "--skew-model", required = true, description = "model a skewed fleet instead of reading the stack")
        boolean on;

        @Option(names = "--devices", paramLabel = "N", defaultValue = "500", description = "devices (default: ${DEFAULT-VALUE})")
        int devices;

        @Option(names = "--loud", paramLabel = "N", defaultValue = "5", description = "loud devices among them (default: ${DEFAULT-VALUE})")
        int loud;

        @Option(names = "--factor", paramLabel = "X", defaultValue = "50", description = "how much louder (default: ${DEFAULT-VALUE})")
        double factor;

        @Option(names = "--partitions", paramLabel = "P", defaultValue = "" + Topics.DEFAULT_PARTITIONS,
                description = "partitions (default: ${DEFAULT-VALUE})")
        int partitions;
    }

    @Mixin
    StackOptions stack;

    @Override
    public Integer call() throws Exception {
        PrintStream out = System.out;
        if (skew != null) {
            if (skew.devices < 1 || skew.loud < 0 || skew.loud > skew.devices || skew.factor < 1 || skew.partitions < 1) {
                throw new UserError("the skew model needs --devices >= 1, 0 <= --loud <= --devices, --factor >= 1 and --partitions >= 1");
            }
            BalanceReport.skewModel(skew.devices, skew.loud, skew.factor, skew.partitions, out);
            return 0;
        }
        if (sampleSeconds < 1 || sampleSeconds > 600) {
            throw new UserError("--sample-seconds must be 1 to 600, got " + sampleSeconds);
        }
        BalanceReport.Balance balance = BalanceReport.live(stack.kafka, group, sampleSeconds, out);
        Path file = json != null ? json : StackOptions.home().resolve("bench/balance.json");
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.writeString(file, new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(balance));
        out.println("JSON: " + file);
        return 0;
    }
}
