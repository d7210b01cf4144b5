package io.sluice.testing;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * A private ClickHouse server for one test class: the Debian package's {@code clickhouse-server}, run
 * as a child process with the same {@code stack/clickhouse} configuration as {@code ./sluice up}, on
 * free loopback ports, with all its data in a temporary folder.
 */
public final class ClickHouseTestServer implements AutoCloseable {

    private final ServerProcess process;
    private final int httpPort;
    private final Path dir;

    private ClickHouseTestServer(ServerProcess process, int httpPort, Path dir) {
        this.process = process;
        this.httpPort = httpPort;
        this.dir = dir;
    }

    /** A server whose {@code default} user has no password. */
    public static ClickHouseTestServer start() throws IOException {
        return start("");
    }

    /** A server whose {@code default} user has {@code password}, as the native stack's has. */
    public static ClickHouseTestServer start(String password) throws IOException {
        String binary = ExternalProgram.find("clickhouse-server", "clickhouse-server clickhouse-client");
        Path dir = Files.createTempDirectory("sluice-clickhouse-");
        int httpPort = FreePorts.next();
        Map<String, String> values = Map.of("DIR", dir.toString(), "HTTP_PORT", Integer.toString(httpPort),
                "TCP_PORT", Integer.toString(FreePorts.next()), "PASSWORD_SHA256", sha256Hex(password));
        StackTemplates.render("clickhouse/config.xml", dir.resolve("config.xml"), values);
        StackTemplates.render("clickhouse/users.xml", dir.resolve("users.xml"), values);
        ServerProcess process = ServerProcess.start("clickhouse-server",
                List.of(binary, "--config-file=" + dir.resolve("config.xml")), dir.resolve("log/stdout.log"));
        ClickHouseTestServer server = new ClickHouseTestServer(process, httpPort, dir);
        server.awaitPing();
        return server;
    }

    private static String sha256Hex(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private void awaitPing() {
        HttpClient http = HttpClient.newHttpClient();
        process.awaitReady(Duration.ofSeconds(30), () -> {
            try {
                return http.send(HttpRequest.newBuilder(URI.create(url() + "/ping")).timeout(Duration.ofSeconds(1)).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
            } catch (IOException e) {
                return false;
            }
        });
    }

    /** The HTTP interface, {@code http://127.0.0.1:port}. */
    public String url() {
        return "http://127.0.0.1:" + httpPort;
    }

    /** The server's own log files. */
    public Path logDir() {
        return dir.resolve("log");
    }

    /** Stops the server; its data stays for {@link #restart()}. */
    public void stop() {
        process.stop();
    }

    public boolean running() {
        return process.alive();
    }

    /** Starts a stopped server again on the same port and data. */
    public void restart() throws IOException {
        process.restart();
        awaitPing();
    }

    @Override
    public void close() {
        process.close();
        TempDirs.deleteQuietly(dir);
    }
}
