package io.sluice.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

/**
 * The help texts ./sluice prints without building anything (cli/help/) are exactly what the commands generate. When a
 * command changes, regenerate them: {@code java -cp cli/target/cli-*-all.jar io.sluice.cli.HelpTexts cli/help}.
 */
class HelpTextsTest {

    private static final Path HELP = Path.of(System.getProperty("sluice.root", ".."), "cli", "help");

    @Test
    void theCommittedHelpIsWhatTheCommandsSay() throws IOException {
        Map<String, String> generated = HelpTexts.all();
        TreeSet<String> committed;
        try (var files = Files.list(HELP)) {
            committed = files.map(f -> f.getFileName().toString()).filter(n -> n.endsWith(".txt")).collect(Collectors.toCollection(TreeSet::new));
        }
        assertEquals(generated.keySet(), committed, "a help file per command and no other; regenerate with HelpTexts");
        for (Map.Entry<String, String> text : generated.entrySet()) {
            assertEquals(text.getValue(), Files.readString(HELP.resolve(text.getKey()), StandardCharsets.UTF_8),
                    text.getKey() + " differs from the command's help; regenerate with HelpTexts");
        }
        assertTrue(generated.size() > 20, "every command and subcommand: " + generated.keySet());
    }

    /** A command list shows a header, or else the first line of the description: that line must be whole. */
    @Test
    void everyListedCommandHasAWholeSummaryLine() {
        HelpTexts.commands().forEach((path, line) -> {
            var usage = line.getCommandSpec().usageMessage();
            assertTrue(path.isEmpty() || usage.header().length == 1 || usage.header().length == 0 && usage.description().length == 1,
                    String.join(" ", path) + ": a one-line header, since a list would cut its description at the first line");
        });
    }
}
