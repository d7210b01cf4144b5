package io.sluice.cli.soak;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;

/**
 * What one process of the stack holds at one moment, read from {@code /proc} (resident memory, file descriptors,
 * threads) and, for the Sluice services, from their {@code /metrics}: the old generation's use (where what leaks
 * ends up). The heap after a full collection, which settles whether something leaks, is taken at the start and end
 * of a soak only ({@link #heapAfterFullGc}), as forcing collections changes what is measured.
 */
public record ProcessSample(String process, double seconds, Map<String, Double> values) {

    static final String RSS = "rss_mb";
    static final String FDS = "file_descriptors";
    static final String THREADS = "threads";
    static final String OLD_GEN = "old_gen_mb";

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    /** Samples process {@code pid}; {@code metricsUrl} is null for processes without Sluice's metrics (Kafka, ClickHouse). */
    public static ProcessSample of(String process, long pid, String metricsUrl, double seconds) {
        Map<String, Double> values = new LinkedHashMap<>();
        Path proc = Path.of("/proc", Long.toString(pid));
        try {
            for (String line : Files.readAllLines(proc.resolve("status"))) {
                if (line.startsWith("VmRSS:")) {
                    values.put(RSS, Double.parseDouble(line.replaceAll("[^0-9]", "")) / 1024);
                } else if (line.startsWith("Threads:")) {
                    values.put(THREADS, Double.parseDouble(line.replaceAll("[^0-9]", "")));
                }
            }
            try (Stream<Path> fds = Files.list(proc.resolve("fd"))) {
                values.put(FDS, (double) fds.count());
            }
        } catch (IOException | RuntimeException e) {
            return new ProcessSample(process, seconds, values); // the process is gone: an empty sample
        }
        if (metricsUrl != null) {
            oldGeneration(metricsUrl).ifPresent(bytes -> values.put(OLD_GEN, bytes / 1024 / 1024));
        }
        return new ProcessSample(process, seconds, values);
    }

    /**
     * A full collection of Java process {@code pid} ({@code jcmd PID GC.run}), then its heap in use, in MB; empty when
     * it is not a JVM or cannot be attached to.
     */
    public static java.util.Optional<Double> heapAfterFullGc(long pid) {
        try {
            String jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd").toString();
            if (run(jcmd, Long.toString(pid), "GC.run") == null) {
                return java.util.Optional.empty();
            }
            String info = run(jcmd, Long.toString(pid), "GC.heap_info");
            java.util.regex.Matcher used = java.util.regex.Pattern.compile("total \\d+K, used (\\d+)K").matcher(info == null ? "" : info);
            return used.find() ? java.util.Optional.of(Double.parseDouble(used.group(1)) / 1024) : java.util.Optional.empty();
        } catch (IOException e) {
            return java.util.Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return java.util.Optional.empty();
        }
    }

    private static String run(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        return process.waitFor() == 0 ? output : null;
    }

    private static java.util.Optional<Double> oldGeneration(String url) {
        try {
            String text = HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            return text.lines().filter(l -> l.startsWith("jvm_memory_used_bytes") && l.contains("area=\"heap\"") && l.contains("Old Gen"))
                    .map(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).findFirst();
        } catch (IOException | RuntimeException e) {
            return java.util.Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return java.util.Optional.empty();
        }
    }
}
