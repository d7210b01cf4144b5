package io.sluice.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./sluice} as a user runs it, as a real process: every command's {@code --help} answers at once (well under 2 s,
 * nothing built or started) with the help the CLI generates, and every command refuses an unknown option in one line
 * with exit status 2, before it starts anything. Runs after the CLI's jar is packaged; {@code SLUICE_NO_BUILD} keeps the
 * script from building, and a private {@code SLUICE_HOME} keeps it off any real stack's state.
 */
class SluiceScriptIT {

    private static final Path ROOT = Path.of(System.getProperty("sluice.root", ".."));

    @TempDir
    Path home;

    /** One run of the script: exit status, stdout, stderr, and how long it took. */
    private record Run(int status, String out, String err, long millis) {
    }

    private Run sluice(List<String> args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(ROOT.resolve("sluice").toString()));
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(command).directory(ROOT.toFile());
        builder.environment().putAll(Map.of("SLUICE_NO_BUILD", "1", "SLUICE_HOME", home.toString()));
        Path out = home.resolve("out.txt");
        Path err = home.resolve("err.txt");
        builder.redirectOutput(out.toFile()).redirectError(err.toFile());
        long started = System.nanoTime();
        Process process = builder.start();
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "./sluice " + args + " did not end within 60 s");
        long millis = (System.nanoTime() - started) / 1_000_000;
        return new Run(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8),
                millis);
    }

    @Test
    void everyCommandsHelpAnswersAtOnceWithTheGeneratedHelp() throws Exception {
        Map<String, String> texts = HelpTexts.all();
        for (List<String> path : HelpTexts.commands().keySet()) {
            List<String> args = new ArrayList<>(path);
            args.add("--help");
            Run run = sluice(args);
            assertEquals(0, run.status(), "./sluice " + args + ": " + run.err());
            assertEquals(texts.get(HelpTexts.fileName(path)), run.out(), "./sluice " + args);
            assertTrue(run.millis() < 2_000, "./sluice " + args + " took " + run.millis() + " ms");
        }
        assertEquals(texts.get("sluice.txt"), sluice(List.of("help")).out());
    }

    @Test
    void everyCommandRefusesAnUnknownOptionInOneLineWithExitStatusTwo() throws Exception {
        for (List<String> path : HelpTexts.commands().keySet()) {
            if (path.isEmpty()) {
                continue;
            }
            List<String> args = new ArrayList<>(path);
            args.add("--no-such-option");
            Run run = sluice(args);
            assertEquals(2, run.status(), "./sluice " + args + ": " + run.out() + run.err());
            assertEquals(1, run.err().strip().lines().count(), "./sluice " + args + ": " + run.err());
            assertTrue(run.err().startsWith("sluice " + path.get(0)), run.err());
            assertEquals("", run.out(), "./sluice " + args + " started nothing");
        }
        Run unknown = sluice(List.of("deploy"));
        assertEquals(2, unknown.status());
        assertEquals("sluice: unknown command 'deploy' (./sluice help lists them)", unknown.err().strip());
    }
}
