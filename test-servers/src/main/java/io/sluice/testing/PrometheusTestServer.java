package io.sluice.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A real Prometheus (Debian's package) with the native stack's own configuration, {@code ops/prometheus/prometheus.yml}
 * and its alert rules, on a free loopback port. Targets are listed as {@code ./sluice} lists them: one file_sd file per
 * process ({@link #target}).
 */
public final class PrometheusTestServer implements AutoCloseable {

    private final ServerProcess process;
    private final Path dir;
    private final int port;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private PrometheusTestServer(ServerProcess process, Path dir, int port) {
        this.process = process;
        this.dir = dir;
        this.port = port;
    }

    /** The program that checks and tests Prometheus configurations and rules, from the same package. */
    public static String promtool() {
        return ExternalProgram.find("promtool", "prometheus");
    }

    /** Writes {@code ops/prometheus/prometheus.yml} for a Prometheus whose folder is {@code dir}. */
    public static Path renderConfig(Path dir) {
        Path config = dir.resolve("prometheus.yml");
        StackTemplates.render("../ops/prometheus/prometheus.yml", config, java.util.Map.of("DIR", dir.toString(),
                "RULES", StackTemplates.root().resolve("ops/prometheus/alerts.yml").toString()));
        return config;
    }

    public static PrometheusTestServer start(Path dir) throws IOException {
        String binary = ExternalProgram.find("prometheus", "prometheus");
        Files.createDirectories(dir.resolve("targets"));
        Path config = renderConfig(dir);
        int port = FreePorts.next();
        ServerProcess process = ServerProcess.start("prometheus", List.of(binary, "--config.file=" + config,
                "--storage.tsdb.path=" + dir.resolve("data"), "--web.listen-address=127.0.0.1:" + port),
                dir.resolve("prometheus.log"));
        PrometheusTestServer server = new PrometheusTestServer(process, dir, port);
        process.awaitReady(Duration.ofSeconds(60), () -> server.get("/-/ready").statusCode() == 200);
        return server;
    }

    /** Lists a process for scraping, as {@code ./sluice} does: {@code job} is a job of prometheus.yml. */
    public void target(String job, String process, int port) {
        try {
            Files.writeString(dir.resolve("targets").resolve(job + "-" + process + ".json"),
                    "[{\"targets\":[\"127.0.0.1:" + port + "\"],\"labels\":{\"process\":\"" + process + "\"}}]\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The JSON answer of an instant query ({@code /api/v1/query}); a query Prometheus rejects throws with its error. */
    public String query(String promql) {
        HttpResponse<String> response = get("/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8));
        if (response.statusCode() != 200) {
            throw new IllegalArgumentException("Prometheus refused " + promql + ": " + response.body());
        }
        return response.body();
    }

    /** The JSON answer of {@code /api/v1/...}, e.g. {@code targets} or {@code rules}. */
    public String api(String path) {
        return get("/api/v1/" + path).body();
    }

    public int port() {
        return port;
    }

    private HttpResponse<String> get(String path) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(10))
                    .build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        process.close();
        TempDirs.deleteQuietly(dir);
    }
}
