package io.sluice.testing;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A Sluice service run as {@code ./sluice up} runs it: its shaded jar (built by {@code mvn package} before the
 * integration tests) in its own JVM, logging into a size-rotated file through {@code log4j2-file.properties}, its
 * settings as {@code --set} arguments, its health on a free loopback port.
 */
public final class ServiceJar implements AutoCloseable {

    private final ServerProcess process;
    private final int opsPort;

    private ServiceJar(ServerProcess process, int opsPort) {
        this.process = process;
        this.opsPort = opsPort;
    }

    /**
     * Starts {@code module}'s jar as {@code name}, its log {@code logs/name.log} (the JVM's own output in
     * {@code logs/name.out}), and waits until it is ready. {@code logLevel} is Sluice's own (SLUICE_LOG_LEVEL).
     */
    public static ServiceJar start(String module, String name, Path logs, String logLevel, List<String> settings) throws IOException {
        return start(module, name, logs, logLevel, FreePorts.next(), settings);
    }

    /** As {@link #start(String, String, Path, String, List)}, on a chosen port for health and metrics. */
    public static ServiceJar start(String module, String name, Path logs, String logLevel, int opsPort, List<String> settings)
            throws IOException {
        return start(module, name, logs, logLevel, opsPort, settings, Map.of());
    }

    /**
     * As {@link #start(String, String, Path, String, List)}, with environment variables besides SLUICE_LOG_LEVEL: where
     * secrets go ({@code SLUICE_SINK_KAFKA_SASL_JAAS_CONFIG}), never in the arguments.
     */
    public static ServiceJar start(String module, String name, Path logs, String logLevel, List<String> settings,
                                   Map<String, String> environment) throws IOException {
        return start(module, name, logs, logLevel, FreePorts.next(), settings, environment);
    }

    private static ServiceJar start(String module, String name, Path logs, String logLevel, int opsPort, List<String> settings,
                                    Map<String, String> environment) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-Dlog4j2.configurationFile=log4j2-file.properties",
                "-Dsluice.log.file=" + logs.resolve(name + ".log"), "-jar", jar(module).toString(),
                "--set", "ops.host=127.0.0.1", "--set", "ops.port=" + opsPort));
        for (String setting : settings) {
            command.add("--set");
            command.add(setting);
        }
        ServiceJar service = new ServiceJar(ServerProcess.start(name, command, logs.resolve(name + ".out"),
                withLogLevel(environment, logLevel)), opsPort);
        service.awaitReady();
        return service;
    }

    private static Map<String, String> withLogLevel(Map<String, String> environment, String logLevel) {
        Map<String, String> all = new HashMap<>(environment);
        all.put("SLUICE_LOG_LEVEL", logLevel);
        return all;
    }

    private void awaitReady() {
        HttpClient http = HttpClient.newHttpClient();
        process.awaitReady(Duration.ofSeconds(90), () -> {
            try {
                return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + opsPort + "/health/ready"))
                        .timeout(Duration.ofSeconds(1)).build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
            } catch (IOException e) {
                return false;
            }
        });
    }

    /** SIGKILL: the service gets no chance to finish anything. */
    public void kill() {
        process.kill();
    }

    /** SIGTERM (the service drains), SIGKILL after a minute. */
    public void stop() {
        process.stop(Duration.ofSeconds(60));
    }

    public boolean running() {
        return process.alive();
    }

    /** Starts the stopped service again, same ports and settings, and waits until it is ready. */
    public void restart() throws IOException {
        process.restart();
        awaitReady();
    }

    private static Path jar(String module) throws IOException {
        Path target = Path.of(System.getProperty("sluice.root", ".."), module, "target");
        try (Stream<Path> files = Files.list(target)) {
            return files.filter(f -> f.getFileName().toString().endsWith("-all.jar")).findFirst()
                    .orElseThrow(() -> new IOException("no shaded jar in " + target + "; mvn package builds it"));
        }
    }

    public int opsPort() {
        return opsPort;
    }

    @Override
    public void close() {
        process.close();
    }
}
