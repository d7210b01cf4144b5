package io.sluice.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import io.sluice.processor.anomaly.DetectionRules;
import io.sluice.processor.anomaly.RulesException;
import io.sluice.processor.replay.Replay;
import io.sluice.processor.replay.ReplayRange;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code sluice replay --from T [--to T]}: rebuilds the rollups and anomalies of a time range, live ingestion going on. */
@Command(name = "replay", header = "Rebuild the rollups and anomalies of a time range, live ingestion going on",
        sortOptions = false,
        description = {"Rebuild the minute and hourly rollups and the anomalies of a time range from the raw topic, while live",
                "ingestion goes on. Running it twice changes nothing. Raw readings need no replay (the sink writes them",
                "from the raw topic itself)."},
        footer = {"", "TIME: 2026-11-22T10:00:00Z, 2026-11-22T10:00 (UTC), 2026-11-22, or -30m, -2h, -1d (before now)"})
final class ReplayCommand implements Callable<Integer> {

    @Option(names = "--from", required = true, paramLabel = "TIME", description = "the range's start (required)")
    String from;

    @Option(names = "--to", paramLabel = "TIME", description = "the range's end (default: now)")
    String to;

    @Option(names = "--rules-file", paramLabel = "FILE", defaultValue = "${env:SLUICE_RULES_FILE:-}",
            description = "the anomaly rules to apply (default: SLUICE_RULES_FILE, else the built-in defaults)")
    Path rulesFile;

    @Option(names = "--json", paramLabel = "FILE", description = "also write the figures here (default: $SLUICE_HOME/bench/replay.json)")
    Path json;

    @Mixin
    StackOptions stack;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        Instant now = Instant.now();
        ReplayRange range;
        DetectionRules rules;
        try {
            range = new ReplayRange(ReplayRange.parseInstant(from, now), to == null ? now : ReplayRange.parseInstant(to, now));
            rules = rulesFile == null || rulesFile.toString().isBlank() ? DetectionRules.defaults() : DetectionRules.load(rulesFile);
        } catch (IllegalArgumentException | RulesException e) {
            throw new UserError(e.getMessage());
        }
        Path stateDir = StackOptions.home().resolve("replay");
        Files.createDirectories(stateDir);
        Replay.Outcome outcome = Replay.run(stack.kafka, range, rules, stateDir, System.console() != null);
        Map<String, Object> figures = new LinkedHashMap<>();
        figures.put("from", range.from().toString());
        figures.put("to", range.to().toString());
        figures.put("records", outcome.records());
        figures.put("seconds", outcome.seconds());
        Path out = json != null ? json : StackOptions.home().resolve("bench/replay.json");
        Files.createDirectories(out.toAbsolutePath().getParent());
        Files.writeString(out, new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(figures));
        return 0;
    }
}
