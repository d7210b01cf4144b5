package io.sluice.bridge.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Hostile input, continuously: Jazzer (coverage-guided, libFuzzer's engine) over the MQTT decoder path, the JSON and
 * SenML parsers and the topic rules, each for {@code SLUICE_FUZZ_SECONDS} (20 by default; longer on demand:
 * {@code SLUICE_FUZZ_SECONDS=600 mvn -o -pl mqtt-bridge verify -Dit.test=EdgeFuzzIT}). Each starts from its corpus in
 * {@code src/test/fuzz/NAME/} (replayed first, so every input there is a regression test) and adds what it finds to a
 * copy under {@code target/fuzz/NAME/}; with {@code SLUICE_FUZZ_KEEP=1} it adds them to the committed corpus instead.
 * A finding fails the test, its input saved as {@code target/fuzz/NAME/crash-*} and printed with Jazzer's report.
 */
class EdgeFuzzIT {

    private static final Path CORPORA = Path.of("src/test/fuzz");

    /**
     * How long one input may run before Jazzer calls it a hang. The first input also pays for class loading and
     * instrumentation: on two loaded cores that once took over 10 s for the empty input, a false finding.
     */
    private static final int HANG_SECONDS = 60;

    @ParameterizedTest
    @ValueSource(classes = {MqttPacketFuzzer.class, PayloadFuzzer.class, TopicFuzzer.class})
    void findsNothing(Class<?> fuzzer) throws IOException, InterruptedException {
        String name = fuzzer.getSimpleName();
        int seconds = Integer.parseInt(System.getenv().getOrDefault("SLUICE_FUZZ_SECONDS", "20"));
        Path committed = CORPORA.resolve(name);
        Path work = Files.createDirectories(Path.of("target/fuzz").resolve(name));
        Path generated = Files.createDirectories(work.resolve("corpus"));
        boolean keep = "1".equals(System.getenv("SLUICE_FUZZ_KEEP"));
        Path log = work.resolve("jazzer.log");
        // Netty's pooled allocator and its Unsafe queues trip Jazzer's Unsafe sanitizer at class initialisation:
        // the decoder runs on unpooled heap buffers here, as its logic does not depend on the allocator.
        List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx1g",
                "-Dio.netty.noUnsafe=true", "-Dio.netty.allocator.type=unpooled",
                "-cp", System.getProperty("java.class.path"), "com.code_intelligence.jazzer.Jazzer",
                "--target_class=" + fuzzer.getName(),
                "--instrumentation_includes=io.sluice.**:io.netty.handler.codec.mqtt.**:com.fasterxml.jackson.core.**",
                "-max_total_time=" + seconds, "-rss_limit_mb=2048", "-timeout=" + HANG_SECONDS, "-print_final_stats=1",
                "-artifact_prefix=" + work.toAbsolutePath() + "/", "--reproducer_path=" + work.toAbsolutePath(),
                (keep ? committed : generated).toAbsolutePath().toString(), (keep ? generated : committed).toAbsolutePath().toString());
        Process jazzer = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        boolean ended = jazzer.waitFor(seconds + 120L, TimeUnit.SECONDS);
        if (!ended) {
            jazzer.destroyForcibly();
        }
        String output = Files.readString(log);
        assertTrue(ended, name + " ran past its time: " + tail(output));
        assertEquals(0, jazzer.exitValue(), name + " found an input that breaks it (saved under " + work + "): " + tail(output));
        assertTrue(output.contains("Done ") || output.contains("stat::number_of_executed_units"),
                name + " did not fuzz: " + tail(output));
        long executed = output.lines().filter(l -> l.startsWith("stat::number_of_executed_units:"))
                .mapToLong(l -> Long.parseLong(l.substring(l.indexOf(':', 6) + 1).strip())).findFirst().orElse(0);
        try (Stream<Path> corpus = Files.list(committed)) {
            System.out.printf("%s: %,d inputs in %d s, no finding; corpus %d committed + %d new%n", name, executed, seconds,
                    corpus.count(), Files.list(generated).count());
        }
        assertTrue(executed > 1000, name + " ran only " + executed + " inputs");
    }

    private static String tail(String output) {
        List<String> lines = output.lines().toList();
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    }
}
