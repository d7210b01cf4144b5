package io.sluice.clickhouse;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * A current ClickHouse (26.7) where no such server can be installed: chDB, ClickHouse in process from npm, behind
 * {@code chdb-http.mjs}, a Node.js process answering like a ClickHouse server's HTTP interface (what Sluice uses:
 * {@code /ping}, statements in the URL and the body, inserts with their data in the body, errors with their
 * {@code Code: N}), so that {@link ClickHouseQueries} and other HTTP clients run unchanged against it. chdb 3.4.0
 * (about 550 MB) is installed once with npm into {@code ~/.cache/sluice/chdb}, or {@code $SLUICE_CHDB_DIR}.
 */
public final class ChdbEngine implements AutoCloseable {

    public static final String CHDB_VERSION = "3.4.0";
    private static final String SCRIPT = "chdb-http.mjs";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration INSTALL_TIMEOUT = Duration.ofMinutes(30);
    private static final ProcessBuilder.Redirect NOTHING = ProcessBuilder.Redirect.from(new File("/dev/null"));
    private static final Pattern VERSION = Pattern.compile("\"version\"\\s*:\\s*\"([^\"]+)\"");

    private final Process process;
    private final int port;
    private final Path log;
    private final Thread reaper;

    private ChdbEngine(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
        this.reaper = new Thread(process::destroyForcibly, "stop-chdb-http");
    }

    /**
     * Starts an engine on {@code dataDir} (created if missing; its tables are there when started again on it), after
     * installing chdb if needed, and returns once it answers {@code /ping}. Its output goes to {@link #log()}.
     * @throws IllegalStateException when Node.js is missing
     * @throws IOException when chdb cannot be installed or the engine does not start, with the end of its log
     */
    public static ChdbEngine start(Path dataDir) throws IOException {
        Path node = onPath("node");
        Path home = installed();
        Path data = Files.createDirectories(dataDir).toAbsolutePath().normalize();
        Path log = data.resolveSibling(data.getFileName() + ".chdb-http.log");
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        ProcessBuilder builder = new ProcessBuilder(node.toString(), home.resolve(SCRIPT).toString(),
                "--port", Integer.toString(port), "--path", data.toString())
                .directory(home.toFile()).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .redirectInput(NOTHING);
        builder.environment().put("NODE_PATH", home.resolve("node_modules").toString());
        builder.environment().put("TZ", "UTC");
        ChdbEngine engine = new ChdbEngine(builder.start(), port, log);
        Runtime.getRuntime().addShutdownHook(engine.reaper);
        try {
            engine.awaitPing();
        } catch (IOException | RuntimeException e) {
            engine.close();
            throw e;
        }
        return engine;
    }

    /** The HTTP interface, {@code http://127.0.0.1:port}. */
    public String url() {
        return "http://127.0.0.1:" + port;
    }

    /** This engine as an endpoint (user {@code default}, no password: any credentials are accepted). */
    public ClickHouseEndpoint endpoint() {
        return new ClickHouseEndpoint(url(), "default", "");
    }

    /** ClickHouse's version, such as {@code 26.7.2.1}. */
    public String version() throws IOException, InterruptedException {
        return new ClickHouseQueries(endpoint()).text("SELECT version()").strip();
    }

    /** The engine's output, {@code <dataDir>.chdb-http.log}. */
    public Path log() {
        return log;
    }

    /** Stops the engine (SIGTERM, then SIGKILL after 10 s) and waits until it has exited; its data stays. */
    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        try {
            Runtime.getRuntime().removeShutdownHook(reaper);
        } catch (IllegalStateException alreadyShuttingDown) { /* the hook runs anyway */ }
    }

    private void awaitPing() throws IOException {
        ClickHouseQueries queries = new ClickHouseQueries(endpoint());
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        try {
            while (!queries.ping()) {
                if (process.waitFor(50, TimeUnit.MILLISECONDS)) { // waits for an exit, or 50 ms between pings
                    throw new IOException("chdb-http exited with code " + process.exitValue() + ": " + tail(log));
                }
                if (System.nanoTime() > deadline) {
                    throw new IOException("chdb-http did not answer /ping in " + START_TIMEOUT.toSeconds() + " s: " + tail(log));
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while chdb-http was starting", e);
        }
    }

    /** The folder holding chdb and the adapter script, chdb installed first if missing (under a lock: JVMs may race). */
    private static synchronized Path installed() throws IOException {
        String configured = System.getenv("SLUICE_CHDB_DIR");
        Path home = Files.createDirectories(configured == null || configured.isBlank()
                ? Path.of(System.getProperty("user.home"), ".cache", "sluice", "chdb") : Path.of(configured)).toAbsolutePath();
        try (FileChannel channel = FileChannel.open(home.resolve(".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             FileLock lock = channel.lock()) {
            if (!CHDB_VERSION.equals(installedVersion(home))) {
                install(home);
            }
            try (InputStream script = ChdbEngine.class.getResourceAsStream("/chdb/" + SCRIPT)) {
                Path copy = Files.createTempFile(home, SCRIPT, ".tmp");
                Files.copy(Objects.requireNonNull(script, "/chdb/" + SCRIPT), copy, StandardCopyOption.REPLACE_EXISTING);
                Files.move(copy, home.resolve(SCRIPT), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            }
        }
        return home;
    }

    private static void install(Path home) throws IOException {
        Path npmLog = home.resolve("npm-install.log");
        System.err.println("Installing chdb " + CHDB_VERSION + " (ClickHouse 26.7, about 550 MB) into " + home + " ...");
        Process install = new ProcessBuilder(onPath("npm").toString(), "install", "--no-audit", "--no-fund", "chdb@" + CHDB_VERSION,
                "--prefix", home.toString())
                .directory(home.toFile()).redirectErrorStream(true).redirectOutput(npmLog.toFile()).redirectInput(NOTHING).start();
        boolean done = false;
        try {
            done = install.waitFor(INSTALL_TIMEOUT.toMinutes(), TimeUnit.MINUTES);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (!done || install.exitValue() != 0 || !CHDB_VERSION.equals(installedVersion(home))) {
            install.destroyForcibly();
            throw new IOException("npm install chdb@" + CHDB_VERSION + " failed (" + (done ? "exit " + install.exitValue()
                    : "interrupted or over " + INSTALL_TIMEOUT.toMinutes() + " min") + "), see " + npmLog + ": " + tail(npmLog));
        }
    }

    private static String installedVersion(Path home) throws IOException {
        Path manifest = home.resolve("node_modules/chdb/package.json");
        var version = VERSION.matcher(Files.isRegularFile(manifest) ? Files.readString(manifest, StandardCharsets.UTF_8) : "");
        return version.find() ? version.group(1) : null;
    }

    private static Path onPath(String program) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path candidate = Path.of(dir.isEmpty() ? "." : dir, program);
            if (Files.isExecutable(candidate) && !Files.isDirectory(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException("chdb needs Node.js: apt-get install -y nodejs npm");
    }

    private static String tail(Path file) {
        try {
            List<String> lines = new String(Files.readAllBytes(file), StandardCharsets.UTF_8).lines().toList();
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }
}
