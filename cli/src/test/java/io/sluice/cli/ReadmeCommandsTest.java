package io.sluice.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

/** The README's table of commands names exactly the commands the CLI has: none missing, none that does not exist. */
class ReadmeCommandsTest {

    @Test
    void theReadmesCommandTableIsTheCommandsOfTheCli() throws IOException {
        String readme = Files.readString(Path.of(System.getProperty("sluice.root", ".."), "README.md"));
        int table = readme.indexOf("| command | what it does |");
        String rows = readme.substring(table, readme.indexOf("\n\n", table));
        Set<String> documented = new TreeSet<>();
        Matcher command = Pattern.compile("`\\./sluice ([a-z-]+)").matcher(rows);
        while (command.find()) {
            documented.add(command.group(1));
        }
        Set<String> commands = new TreeSet<>(SluiceCli.commandLine().getSubcommands().keySet());
        assertEquals(commands, documented);
    }

    @Test
    void everyFleetOptionTheReadmeDocumentsIsAnOptionOfLoadRun() throws IOException {
        String readme = Files.readString(Path.of(System.getProperty("sluice.root", ".."), "README.md"));
        int table = readme.indexOf("| option | meaning (default;");
        String rows = readme.substring(table, readme.indexOf("\n\n", table));
        Set<String> documented = new TreeSet<>();
        Matcher option = Pattern.compile("`(--[a-z-]+)").matcher(rows);
        while (option.find()) {
            documented.add(option.group(1));
        }
        Set<String> options = new TreeSet<>();
        SluiceCli.commandLine().getSubcommands().get("load").getSubcommands().get("run").getCommandSpec().options()
                .forEach(o -> options.addAll(java.util.List.of(o.names())));
        assertEquals(Set.of(), new TreeSet<>(documented.stream().filter(o -> !options.contains(o)).toList()),
                "options the README documents that ./sluice load run does not have");
        assertEquals(11, documented.size(), "the table was read: " + documented);
    }
}
