package io.sluice.ops;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Runs a documented shell example as a reader would on the native stack, against a {@link DocsStack} instead:
 * <ul>
 *   <li>in a working folder that stands for the repository root: {@code ./sluice} there is a script that runs the CLI
 *       jar (what {@code ./sluice} does for every command but the native stack's own), {@code .sluice/} is the stack's
 *       state folder ({@code SLUICE_HOME}: the credentials file, the ClickHouse password) and {@code stack/} is the
 *       repository's;</li>
 *   <li>with {@code SLUICE_KAFKA} and {@code SLUICE_CLICKHOUSE_URL} naming the test stack, as the CLI reads them when
 *       the stack is not the native one;</li>
 *   <li>with the native stack's well-known addresses in the example's text replaced by the test stack's: MQTT
 *       {@code 127.0.0.1:1883} (and {@code -p 1883}) by HAProxy's port, {@code 127.0.0.1:8123} by ClickHouse's,
 *       {@code 127.0.0.1:9092} by Kafka's, the health ports 18081, 18082, 18101 and 18095 by those of bridge-1,
 *       bridge-2, processor-1 and sink-1; {@code ./sluice load run}, whose MQTT address defaults to 1883, is given
 *       {@code --mqtt} with HAProxy's. An example left naming a native port after that fails rather than reach a
 *       native stack that may run on this machine;</li>
 *   <li>under {@code bash -e -o pipefail}: every command of the example must succeed, not only its last.</li>
 * </ul>
 */
final class ExampleShell {

    /** What an example did: its exit status and what it printed. */
    record Outcome(int status, String out, String err) {
    }

    private static final Pattern NATIVE_PORT = Pattern.compile("(?<![0-9])(1883|8083|8123|9000|9092|9093|1808[12]|1810[0-9]|1811[0-2]|18095)(?![0-9])");

    private final Path dir;
    private final DocsStack stack;
    private final Map<String, String> addresses = new LinkedHashMap<>();
    private int runs;

    private ExampleShell(Path dir, DocsStack stack) {
        this.dir = dir;
        this.stack = stack;
        String clickHouse = stack.clickHouse.url().replace("http://", "");
        int mqtt = stack.mqttPort();
        addresses.put("./sluice load run", "./sluice load run --mqtt 127.0.0.1:" + mqtt);
        addresses.put("127.0.0.1:1883", "127.0.0.1:" + mqtt);
        addresses.put("-p 1883", "-p " + mqtt);
        addresses.put("127.0.0.1:8123", clickHouse);
        addresses.put("127.0.0.1:9092", stack.kafka.bootstrapServers());
        addresses.put("127.0.0.1:18081", "127.0.0.1:" + stack.opsPort("bridge-1"));
        addresses.put("127.0.0.1:18082", "127.0.0.1:" + stack.opsPort("bridge-2"));
        addresses.put("127.0.0.1:18101", "127.0.0.1:" + stack.opsPort("processor-1"));
        addresses.put("127.0.0.1:18095", "127.0.0.1:" + stack.opsPort("sink-1"));
    }

    /** A working folder {@code dir} whose {@code .sluice} is the stack's home, and its {@code ./sluice}. */
    static ExampleShell in(Path dir, DocsStack stack, Path root) throws IOException {
        if (!stack.home.equals(dir.resolve(".sluice"))) {
            throw new IllegalArgumentException("the stack's home must be " + dir.resolve(".sluice") + " for .sluice/ paths to hold");
        }
        Path cliJar;
        try (Stream<Path> jars = Files.list(root.resolve("cli/target"))) {
            cliJar = jars.filter(f -> f.getFileName().toString().matches("cli-.*-all\\.jar")).findFirst()
                    .orElseThrow(() -> new IOException("no cli/target/cli-*-all.jar; mvn package builds it"));
        }
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Path script = dir.resolve("sluice");
        Files.writeString(script, """
                #!/usr/bin/env bash
                # ./sluice for the docs' examples (DocsExamplesIT): the CLI jar, as ./sluice runs every command but the native stack's.
                case "${1:-}" in up|down|demo|test|bench|chaos|soak|scale|restart|logs|build)
                  echo "./sluice $1 starts or stops the native stack; the docs' examples test does not run it" >&2; exit 97 ;;
                esac
                exec %s -Dsluice.libraries.log.level=error -jar %s "$@"
                """.formatted(java, cliJar));
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.createSymbolicLink(dir.resolve("stack"), root.resolve("stack"));
        return new ExampleShell(dir, stack);
    }

    /** The example's text with the native stack's addresses replaced by the test stack's. */
    String onTestStack(String example) {
        String text = example;
        for (Map.Entry<String, String> address : addresses.entrySet()) {
            text = text.replace(address.getKey(), address.getValue());
        }
        return text;
    }

    /** Runs the example; fails on a native port left in it, and kills it at the deadline. */
    Outcome run(String example, Duration deadline) throws IOException, InterruptedException {
        String script = onTestStack(example);
        String withoutTestAddresses = script;
        for (String testAddress : addresses.values()) {
            withoutTestAddresses = withoutTestAddresses.replace(testAddress, "");
        }
        Matcher port = NATIVE_PORT.matcher(withoutTestAddresses);
        if (port.find()) {
            throw new IllegalStateException("the example names the native stack's port " + port.group(1)
                    + ", which the test does not map to its own stack: " + script);
        }
        int run = ++runs;
        Path out = dir.resolve("example-" + run + ".out");
        Path err = dir.resolve("example-" + run + ".err");
        ProcessBuilder builder = new ProcessBuilder("bash", "-e", "-o", "pipefail", "-c", script).directory(dir.toFile())
                .redirectOutput(out.toFile()).redirectError(err.toFile()).redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
        Map<String, String> env = builder.environment();
        env.remove("SLUICE_CLICKHOUSE_PASSWORD");
        env.remove("SLUICE_RULES_FILE");
        env.put("PATH", env.getOrDefault("PATH", "/usr/bin:/bin") + ":/usr/sbin:/sbin");
        env.put("SLUICE_HOME", stack.home.toString());
        env.put("SLUICE_KAFKA", stack.kafka.bootstrapServers());
        env.put("SLUICE_CLICKHOUSE_URL", stack.clickHouse.url());
        Process process = builder.start();
        if (!process.waitFor(deadline.toMillis(), TimeUnit.MILLISECONDS)) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly().waitFor();
            throw new IllegalStateException("the example did not finish within " + deadline + ": " + Files.readString(out, StandardCharsets.UTF_8)
                    + Files.readString(err, StandardCharsets.UTF_8));
        }
        return new Outcome(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
    }
}
