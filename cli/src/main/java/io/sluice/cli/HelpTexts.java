package io.sluice.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import picocli.CommandLine;
import picocli.CommandLine.Help;

/**
 * Every command's help, as picocli generates it, written to {@code cli/help/<command>[-<subcommand>].txt}: the
 * {@code ./sluice} script prints these for {@code --help} at once, on a fresh clone, without building or starting
 * anything. {@code HelpTextsTest} fails when they drift from the commands; {@code ./sluice build} (and this main)
 * writes them again.
 */
public final class HelpTexts {

    private HelpTexts() {
    }

    /** Each command's file name and help text ({@code sluice} for the root). */
    public static Map<String, String> all() {
        Map<String, String> texts = new TreeMap<>();
        commands(SluiceCli.commandLine(), List.of()).forEach((path, line) -> texts.put(fileName(path), line.getUsageMessage(Help.Ansi.OFF)));
        return texts;
    }

    /** Every command by its path ({@code []} for the root, {@code [device, add]}, ...). */
    public static Map<List<String>, CommandLine> commands() {
        return commands(SluiceCli.commandLine(), List.of());
    }

    /** The help file of a command path: {@code sluice.txt}, {@code query.txt}, {@code device-add.txt}. */
    public static String fileName(List<String> path) {
        return (path.isEmpty() ? "sluice" : String.join("-", path)) + ".txt";
    }

    private static Map<List<String>, CommandLine> commands(CommandLine command, List<String> path) {
        Map<List<String>, CommandLine> commands = new java.util.LinkedHashMap<>();
        commands.put(path, command);
        command.getSubcommands().forEach((sub, line) -> {
            if (!line.getCommandSpec().usageMessage().hidden() && line.getCommandSpec().name().equals(sub)) {
                List<String> subPath = new java.util.ArrayList<>(path);
                subPath.add(sub);
                commands.putAll(commands(line, List.copyOf(subPath)));
            }
        });
        return commands;
    }

    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args.length > 0 ? args[0] : "cli/help");
        Files.createDirectories(dir);
        try (var old = Files.list(dir)) {
            for (Path file : old.filter(f -> f.toString().endsWith(".txt")).toList()) {
                Files.delete(file);
            }
        }
        for (Map.Entry<String, String> text : all().entrySet()) {
            Files.writeString(dir.resolve(text.getKey()), text.getValue(), StandardCharsets.UTF_8);
        }
    }
}
