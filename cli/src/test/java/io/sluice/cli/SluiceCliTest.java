package io.sluice.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.sluice.bridge.auth.DeviceCredentials;

/** The CLI's behaviour in process, as a user types it: help, mistakes, and the commands that need no stack. */
class SluiceCliTest {

    /** Every command path: the root, "query", "device add", ... */
    private static List<String[]> commands() {
        List<String[]> commands = new ArrayList<>();
        HelpTexts.commands().keySet().forEach(path -> commands.add(path.toArray(String[]::new)));
        return commands;
    }

    private static String[] with(String[] command, String... more) {
        String[] args = new String[command.length + more.length];
        System.arraycopy(command, 0, args, 0, command.length);
        System.arraycopy(more, 0, args, command.length, more.length);
        return args;
    }

    @Test
    void everyCommandAnswersHelpWithItsGeneratedUsageAndExitStatusZero() {
        Map<String, String> texts = HelpTexts.all();
        for (String[] command : commands()) {
            CliRun run = CliRun.of(with(command, "--help"));
            assertEquals(0, run.status(), String.join(" ", command) + ": " + run.err());
            String file = HelpTexts.fileName(List.of(command));
            assertEquals(texts.get(file), run.out(), file);
            assertEquals("", run.err());
        }
    }

    @Test
    void anUnknownOptionIsRefusedInOneLineWithExitStatusTwoByEveryCommand() {
        for (String[] command : commands()) {
            CliRun run = CliRun.of(with(command, "--no-such-option"));
            assertEquals(2, run.status(), String.join(" ", command));
            assertEquals(1, run.err().strip().lines().count(), "one line: " + run.err());
            assertTrue(run.err().contains("--no-such-option") || run.err().contains("Missing required"), run.err());
            assertTrue(run.err().contains("--help)"), "says where the help is: " + run.err());
        }
    }

    @Test
    void badValuesAndMissingArgumentsAreMistakesToo() {
        assertEquals(2, CliRun.of("report", "yesterday").status());
        assertEquals(2, CliRun.of("report", "ingest", "--hours", "0").status());
        assertEquals(2, CliRun.of("scale", "processor", "many").status());
        assertEquals(2, CliRun.of("replay").status());
        assertEquals(2, CliRun.of("replay", "--from", "last tuesday", "--kafka", "127.0.0.1:1").status());
        assertEquals(2, CliRun.of("retention", "raw", "0").status());
        assertEquals(2, CliRun.of("load", "run", "--devices", "0").status());
        CliRun scriptOnly = CliRun.of("up");
        assertEquals(2, scriptOnly.status());
        assertTrue(scriptOnly.err().contains("./sluice script"), scriptOnly.err());
    }

    @Test
    void aStackThatIsNotThereIsAFailureInOneLineNotAStackTrace() {
        CliRun run = CliRun.of("query", "SELECT 1", "--clickhouse", "http://127.0.0.1:1");
        assertEquals(1, run.status());
        assertEquals(1, run.err().strip().lines().count(), run.err());
        assertTrue(run.err().startsWith("sluice query: ClickHouse does not answer"), run.err());
    }

    @Test
    void devicesAreAddedListedAndRemovedInTheCredentialsFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("credentials");
        CliRun added = CliRun.of("device", "--file", file.toString(), "add", "pump-17", "--iterations", "1000");
        assertEquals(0, added.status(), added.err());
        String secret = added.out().strip();
        assertEquals(22, secret.length(), "a 128-bit secret (URL-safe base64), printed once: " + secret);
        assertTrue(DeviceCredentials.read(file).hashOf("pump-17").isPresent());
        CliRun listed = CliRun.of("device", "--file", file.toString(), "list", "--json");
        assertEquals("[\"pump-17\"]", listed.out().strip());
        assertEquals(0, CliRun.of("device", "--file", file.toString(), "remove", "pump-17").status());
        CliRun again = CliRun.of("device", "--file", file.toString(), "remove", "pump-17");
        assertEquals(2, again.status());
        assertTrue(again.err().contains("is not in"), again.err());
        assertEquals(2, CliRun.of("device", "--file", file.toString(), "add", "bad/id").status());
        assertTrue(Files.exists(file));
    }

    @Test
    void theSkewModelNeedsNoStack() {
        java.io.ByteArrayOutputStream printed = new java.io.ByteArrayOutputStream();
        java.io.PrintStream stdout = System.out;
        System.setOut(new java.io.PrintStream(printed, true));
        try {
            assertEquals(0, CliRun.of("balance", "--skew-model", "--devices", "200", "--loud", "2").status());
        } finally {
            System.setOut(stdout);
        }
        assertTrue(printed.toString().contains("IMBALANCE BY LOAD"), printed.toString());
    }

    @Test
    void everyReportQueriesExactRowsOverItsWindow() {
        for (ReportCommand.Name name : ReportCommand.Name.values()) {
            for (ReportCommand.Section section : ReportCommand.sections(name)) {
                assertTrue(section.sql().contains(" FINAL"), section.title());
                assertTrue(section.sql().contains("SINCE"), section.title());
            }
        }
    }
}
