package io.sluice.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

/**
 * The docs' tables of commands and options name exactly what the CLI has: the command table of docs/operations.md every
 * command, none that does not exist; the fleet simulator's table in docs/benchmarks.md only options of load run.
 */
class DocsCommandsTest {

    private static final Path DOCS = Path.of(System.getProperty("sluice.root", ".."), "docs");

    /** The table that starts with {@code header} in {@code page}, up to the blank line after it. */
    private static String table(String page, String header) throws IOException {
        String text = Files.readString(DOCS.resolve(page));
        int table = text.indexOf(header);
        assertTrue(table >= 0, page + " has a table headed " + header);
        return text.substring(table, text.indexOf("\n\n", table));
    }

    @Test
    void theCommandTableOfTheRunbookIsTheCommandsOfTheCli() throws IOException {
        String rows = table("operations.md", "| command | what it does |");
        Set<String> documented = new TreeSet<>();
        Matcher command = Pattern.compile("`\\./sluice ([a-z-]+)").matcher(rows);
        while (command.find()) {
            documented.add(command.group(1));
        }
        Set<String> commands = new TreeSet<>(SluiceCli.commandLine().getSubcommands().keySet());
        assertEquals(commands, documented);
    }

    @Test
    void everyFleetOptionTheDocsDocumentIsAnOptionOfLoadRun() throws IOException {
        String rows = table("benchmarks.md", "| option | meaning (default;");
        Set<String> documented = new TreeSet<>();
        Matcher option = Pattern.compile("`(--[a-z-]+)").matcher(rows);
        while (option.find()) {
            documented.add(option.group(1));
        }
        Set<String> options = new TreeSet<>();
        SluiceCli.commandLine().getSubcommands().get("load").getSubcommands().get("run").getCommandSpec().options()
                .forEach(o -> options.addAll(java.util.List.of(o.names())));
        assertEquals(Set.of(), new TreeSet<>(documented.stream().filter(o -> !options.contains(o)).toList()),
                "options docs/benchmarks.md documents that ./sluice load run does not have");
        assertEquals(11, documented.size(), "the table was read: " + documented);
    }
}
