package io.sluice.cli;

import java.io.IOException;
import java.net.URI;
import java.net.UnixDomainSocketAddress;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The native stack's processes as {@code ./sluice} started them: for each, {@code run/<name>.pid} holds its pid and
 * {@code run/<name>.health} its address and how to check it ({@code http:URL}, {@code tcp:PORT} or
 * {@code haproxy:SOCKET}). A pid file goes when the process is stopped; the health file stays, so a stopped process
 * is still listed.
 */
final class StackProcesses {

    /** One process: its name, pid (or -1), whether it runs, its address and how its health is read. */
    record Process(String name, long pid, boolean running, String address, String health) {
    }

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private StackProcesses() {
    }

    static List<Process> all(Path home) throws IOException {
        List<Process> processes = new ArrayList<>();
        Path run = home.resolve("run");
        if (!Files.isDirectory(run)) {
            return processes;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(run, "*.health")) {
            for (Path file : files) {
                String name = file.getFileName().toString().replace(".health", "");
                String[] fields = Files.readString(file).strip().split(" ", 2);
                long pid = pid(run.resolve(name + ".pid"));
                processes.add(new Process(name, pid, pid > 0 && alive(pid), fields[0], fields.length > 1 ? fields[1] : ""));
            }
        }
        processes.sort((a, b) -> order(a.name()) != order(b.name()) ? Integer.compare(order(a.name()), order(b.name()))
                : a.name().compareTo(b.name()));
        return processes;
    }

    /** The metrics URLs of the running processes whose names start with {@code prefix} (bridge, processor). */
    static List<String> metricsOf(Path home, String prefix) throws IOException {
        return all(home).stream().filter(p -> p.running() && p.name().startsWith(prefix) && p.health().startsWith("http:"))
                .map(p -> p.health().substring(5).replace("/health/ready", "/metrics")).toList();
    }

    private static int order(String name) {
        String[] kinds = {"clickhouse", "kafka", "sink", "processor", "bridge", "haproxy"};
        for (int i = 0; i < kinds.length; i++) {
            if (name.startsWith(kinds[i])) {
                return i;
            }
        }
        return kinds.length;
    }

    private static long pid(Path file) {
        try {
            return Long.parseLong(Files.readString(file).strip());
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
    }

    /** Running, and not a zombie the machine's init has yet to reap (a killed process can linger so). */
    private static boolean alive(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            return !stat.substring(stat.lastIndexOf(')') + 2).startsWith("Z");
        } catch (IOException e) {
            return false;
        }
    }

    /** The process's health, read now: ready, not ready, listening, each bridge UP or DOWN behind HAProxy, ... */
    static String health(Process process) {
        if (!process.running()) {
            return "-";
        }
        String check = process.health();
        try {
            if (check.startsWith("http:")) {
                int status = HTTP.send(HttpRequest.newBuilder(URI.create(check.substring(5))).timeout(Duration.ofSeconds(2)).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode();
                return status == 200 ? (check.endsWith("/ping") ? "ok" : "ready") : "not ready (" + status + ")";
            }
            if (check.startsWith("tcp:")) {
                try (java.net.Socket socket = new java.net.Socket()) {
                    socket.connect(new java.net.InetSocketAddress("127.0.0.1", Integer.parseInt(check.substring(4))), 2000);
                    return "listening";
                }
            }
            if (check.startsWith("haproxy:")) {
                return haproxyBackends(Path.of(check.substring(8)));
            }
            return "?";
        } catch (IOException e) {
            return "failing (" + e.getMessage() + ")";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "?";
        }
    }

    /** Each bridge behind HAProxy, UP or DOWN, and its connections, from HAProxy's stats socket. */
    private static String haproxyBackends(Path socket) throws IOException {
        StringBuilder csv = new StringBuilder();
        try (SocketChannel channel = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            channel.write(ByteBuffer.wrap("show stat\n".getBytes(StandardCharsets.US_ASCII)));
            ByteBuffer buffer = ByteBuffer.allocate(65_536);
            while (channel.read(buffer) > 0) {
                csv.append(new String(buffer.array(), 0, buffer.position(), StandardCharsets.US_ASCII));
                buffer.clear();
            }
        }
        List<String> backends = new ArrayList<>();
        for (String line : csv.toString().split("\n")) {
            String[] f = line.split(",");
            if (f.length > 17 && f[0].equals("mqtt_bridges") && !f[1].equals("BACKEND") && !f[1].equals("FRONTEND")) {
                backends.add(f[1] + "=" + f[17] + "(" + f[4] + " conn)");
            }
        }
        return String.join(" ", backends);
    }
}
