package io.sluice.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import io.sluice.clickhouse.ClickHouseEndpoint;
import io.sluice.clickhouse.ClickHouseException;
import io.sluice.clickhouse.ClickHouseQueries;
import io.sluice.testing.TempDirs;

/**
 * Every shell and SQL example of the README and docs/ runs, in the order a reader meets them, against a stack of real
 * processes ({@link DocsStack}): each {@code bash}/{@code sh} block exits 0 through {@link ExampleShell} (which says how
 * the native stack's addresses and {@code ./sluice} are mapped onto the test's), each statement of each {@code sql}
 * block runs on ClickHouse. A block whose fence is preceded by {@code <!-- output contains: TEXT -->} must print TEXT:
 * that is how the README's publish-then-query check proves it prints the reading it published.
 *
 * <p>Not run, each listed as a skipped test with its reason: blocks marked {@code <!-- not run: reason -->},
 * {@code console} transcripts, blocks that start or stop the native stack on its fixed ports ({@code ./sluice up},
 * {@code demo}, {@code test}, ...), and blocks that need what this test cannot give them: a Docker engine, a Kubernetes
 * cluster, or a Maven build of their own. Output samples and pictures are {@code text} blocks, payloads {@code json},
 * configuration {@code yaml}: not commands, not examples to run.
 */
class DocsExamplesIT {

    private static final Path ROOT = Path.of(System.getProperty("sluice.root", "..")).toAbsolutePath().normalize();
    private static final Set<String> SHELL = Set.of("bash", "sh", "shell");
    private static final Pattern NATIVE_STACK_COMMAND =
            Pattern.compile("\\./sluice (up|down|demo|test|bench|chaos|soak|scale|restart|logs|build)(?=\\s|$|;|\\))");
    /** Programs an example may run that this test cannot give it, and why. */
    private static final List<Map.Entry<Pattern, String>> NEEDS = List.of(
            Map.entry(Pattern.compile("(^|[\\s;|&(])docker( |-compose )"), "needs a Docker engine"),
            Map.entry(Pattern.compile("(^|[\\s;|&(])(kubectl|kind|helm) "), "needs a Kubernetes cluster"),
            Map.entry(Pattern.compile("(^|[\\s;|&(])mvn "), "runs Maven: a build or a test of its own, not an example against the stack"));
    private static final Duration EXAMPLE_DEADLINE = Duration.ofMinutes(4);

    private static Path dir;
    private static DocsStack stack;
    private static ExampleShell shell;
    private static final List<String> ran = new ArrayList<>();
    private static final List<String> skipped = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        dir = Files.createTempDirectory("sluice-docs-");
        stack = DocsStack.start(Files.createDirectories(dir.resolve(".sluice")));
        shell = ExampleShell.in(dir, stack, ROOT);
    }

    @AfterAll
    static void stop() {
        System.out.printf("Docs examples: %d run, %d not run%n", ran.size(), skipped.size());
        ran.forEach(line -> System.out.println("  ran      " + line));
        skipped.forEach(line -> System.out.println("  not run  " + line));
        if (stack != null) {
            stack.close();
        }
        if (dir != null) {
            // The link to the repository's stack/ goes first, so that nothing could delete through it.
            dir.resolve("stack").toFile().delete();
            TempDirs.deleteQuietly(dir);
        }
    }

    @TestFactory
    Stream<DynamicTest> everyExampleRuns() throws IOException {
        List<DynamicTest> tests = new ArrayList<>();
        for (MarkdownPage page : MarkdownPage.documentation(ROOT)) {
            for (MarkdownPage.Block block : page.blocks()) {
                if (SHELL.contains(block.info()) || block.info().equals("sql") || block.info().equals("console")) {
                    tests.add(DynamicTest.dynamicTest(block.where() + " (" + block.info() + ")", () -> runOrSkip(block)));
                }
            }
        }
        assertTrue(tests.size() > 15, "the examples were found: " + tests.size());
        return tests.stream();
    }

    /** Why a block is not run, if it is not. */
    static Optional<String> whyNotRun(MarkdownPage.Block block) {
        Optional<String> marked = block.marker("not run");
        if (marked.isPresent()) {
            return marked;
        }
        if (block.info().equals("console")) {
            return Optional.of("a console transcript, not a command to run");
        }
        Matcher command = NATIVE_STACK_COMMAND.matcher(block.text());
        if (SHELL.contains(block.info()) && command.find()) {
            return Optional.of("starts or stops the native stack on its fixed ports (./sluice " + command.group(1) + "); covered by"
                    + " SluiceScriptIT (the script's commands and arguments), ChaosIT (the same processes under faults) and CI"
                    + " (./sluice test)");
        }
        if (SHELL.contains(block.info())) {
            for (Map.Entry<Pattern, String> need : NEEDS) {
                if (need.getKey().matcher(block.text()).find()) {
                    return Optional.of(need.getValue());
                }
            }
        }
        return Optional.empty();
    }

    private static void runOrSkip(MarkdownPage.Block block) throws Exception {
        Optional<String> reason = whyNotRun(block);
        if (reason.isPresent()) {
            skipped.add(block.where() + ": " + reason.get());
            Assumptions.abort(reason.get());
        }
        long started = System.nanoTime();
        String output = block.info().equals("sql") ? runSql(block) : runShell(block);
        // What an example printed is shown only when it fails: some print a device's password (./sluice device add).
        block.marker("output contains").ifPresent(expected ->
                assertTrue(output.contains(expected), block.where() + " prints " + expected + "; it printed:\n" + output));
        ran.add(String.format("%s (%s, %.1f s)", block.where(), block.info(), (System.nanoTime() - started) / 1e9));
    }

    private static String runShell(MarkdownPage.Block block) throws Exception {
        ExampleShell.Outcome outcome = shell.run(block.text(), EXAMPLE_DEADLINE);
        if (outcome.status() != 0) {
            fail(block.where() + " exited " + outcome.status() + "\n--- the example on the test stack:\n" + shell.onTestStack(block.text())
                    + "--- stdout:\n" + outcome.out() + "--- stderr:\n" + outcome.err());
        }
        return outcome.out();
    }

    private static String runSql(MarkdownPage.Block block) throws Exception {
        ClickHouseQueries clickHouse = new ClickHouseQueries(new ClickHouseEndpoint(stack.clickHouse.url(), "default", stack.clickHousePassword));
        StringBuilder output = new StringBuilder();
        List<String> statements = statements(block.text());
        assertTrue(!statements.isEmpty(), block.where() + " holds a statement");
        for (String statement : statements) {
            try {
                output.append(clickHouse.text(statement));
            } catch (ClickHouseException e) {
                fail(block.where() + ": ClickHouse refused\n" + statement + "\n" + e.getMessage());
            }
        }
        return output.toString();
    }

    /** The statements of a SQL block: comment lines dropped, split at each semicolon that ends a line. */
    static List<String> statements(String sql) {
        StringBuilder text = new StringBuilder();
        sql.lines().filter(line -> !line.strip().startsWith("--")).forEach(line -> text.append(line).append('\n'));
        return Stream.of(text.toString().split(";\\s*(\\n|$)")).map(String::strip).filter(s -> !s.isEmpty()).toList();
    }

    @Test
    void theReadmeChecksThatAPublishedReadingCanBeQueried() throws IOException {
        MarkdownPage readme = MarkdownPage.documentation(ROOT).get(0);
        List<MarkdownPage.Block> checks = readme.blocks().stream()
                .filter(b -> b.text().contains("mosquitto_pub") && b.text().contains("./sluice query"))
                .filter(b -> whyNotRun(b).isEmpty() && b.marker("output contains").isPresent()).toList();
        assertEquals(1, checks.size(), "the README has one publish-then-query check, run and checked for its output");
        MarkdownPage.Block check = checks.get(0);
        assertTrue(check.text().contains("$(date +%s)000"), "the check publishes a current timestamp, which the bridge accepts");
        assertTrue(check.text().contains(check.marker("output contains").orElseThrow()), "the check expects the value it publishes");
    }

    @Test
    void sqlBlocksAreSplitIntoTheirStatements() {
        assertEquals(List.of("SELECT 1", "SELECT a,\n  b FROM t"), statements("-- one\nSELECT 1;\n-- two\nSELECT a,\n  b FROM t;\n"));
    }

    @Test
    void nativeStackCommandsAreToldApartFromTheCliCommands() {
        MarkdownPage.Block up = new MarkdownPage.Block("x", 1, "bash", "./sluice up\n", List.of());
        MarkdownPage.Block loadRun = new MarkdownPage.Block("x", 1, "bash", "./sluice load run --devices 20\n", List.of());
        MarkdownPage.Block status = new MarkdownPage.Block("x", 1, "bash", "./sluice status\n./sluice logs kafka\n", List.of());
        assertTrue(whyNotRun(up).isPresent());
        assertTrue(whyNotRun(loadRun).isEmpty(), "./sluice load is the CLI's");
        assertTrue(whyNotRun(status).orElseThrow().contains("./sluice logs"));
        MarkdownPage.Block maven = new MarkdownPage.Block("x", 1, "bash", "mvn -B -q verify -pl ops\n", List.of());
        MarkdownPage.Block compose = new MarkdownPage.Block("x", 1, "bash", "./sluice device add d\ndocker compose up\n", List.of());
        MarkdownPage.Block publish = new MarkdownPage.Block("x", 1, "bash", "mosquitto_pub -h 127.0.0.1 -t devices/mvn/telemetry\n", List.of());
        assertEquals("runs Maven: a build or a test of its own, not an example against the stack", whyNotRun(maven).orElseThrow());
        assertEquals("needs a Docker engine", whyNotRun(compose).orElseThrow());
        assertTrue(whyNotRun(publish).isEmpty(), "a word in an argument is not a program");
    }
}
