package io.sluice.testing;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A private HAProxy in front of MQTT bridges, with the same {@code stack/haproxy} configuration as
 * {@code ./sluice up} (TCP mode, leastconn, readiness checks, PROXY protocol v2), on a free loopback port.
 */
public final class HaproxyTestServer implements AutoCloseable {

    /** A bridge behind the balancer: its MQTT and MQTT-over-WebSocket ports and its health endpoint's port. */
    public record Backend(String name, int mqttPort, int webSocketPort, int opsPort) {
    }

    private final ServerProcess process;
    private final int mqttPort;
    private final int webSocketPort;
    private final int metricsPort;
    private final Path dir;

    private HaproxyTestServer(ServerProcess process, int mqttPort, int webSocketPort, int metricsPort, Path dir) {
        this.process = process;
        this.mqttPort = mqttPort;
        this.webSocketPort = webSocketPort;
        this.metricsPort = metricsPort;
        this.dir = dir;
    }

    public static HaproxyTestServer start(List<Backend> backends) throws IOException {
        String binary = ExternalProgram.find("haproxy", "haproxy");
        Path dir = Files.createTempDirectory("sluice-haproxy-");
        int mqttPort = FreePorts.next();
        int webSocketPort = FreePorts.next();
        int metricsPort = FreePorts.next();
        String servers = backends.stream()
                .map(b -> "    server " + b.name() + " 127.0.0.1:" + b.mqttPort() + " check port " + b.opsPort())
                .collect(Collectors.joining("\n"));
        String webSocketServers = backends.stream()
                .map(b -> "    server " + b.name() + " 127.0.0.1:" + b.webSocketPort() + " check port " + b.opsPort())
                .collect(Collectors.joining("\n"));
        StackTemplates.render("haproxy/haproxy.cfg", dir.resolve("haproxy.cfg"), Map.of("DIR", dir.toString(),
                "HOST", "127.0.0.1", "MQTT_PORT", Integer.toString(mqttPort), "WS_PORT", Integer.toString(webSocketPort),
                "METRICS_PORT", Integer.toString(metricsPort), "BRIDGE_SERVERS", servers, "BRIDGE_WS_SERVERS", webSocketServers));
        ServerProcess process = ServerProcess.start("haproxy",
                List.of(binary, "-f", dir.resolve("haproxy.cfg").toString(), "-db"), dir.resolve("haproxy.log"));
        process.awaitReady(Duration.ofSeconds(10), () -> {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", mqttPort), 500);
                return true;
            } catch (IOException e) {
                return false;
            }
        });
        return new HaproxyTestServer(process, mqttPort, webSocketPort, metricsPort, dir);
    }

    public int mqttPort() {
        return mqttPort;
    }

    /** HAProxy's Prometheus exporter: {@code http://127.0.0.1:port/metrics}. */
    public int metricsPort() {
        return metricsPort;
    }

    /** MQTT over WebSocket: {@code ws://127.0.0.1:port/mqtt}. */
    public int webSocketPort() {
        return webSocketPort;
    }

    /** The balancer's view of each bridge (UP, DOWN, ...), from its stats socket. */
    public Map<String, String> backendStates() throws IOException {
        String csv;
        try (SocketChannel socket = SocketChannel.open(UnixDomainSocketAddress.of(dir.resolve("haproxy.sock")))) {
            socket.write(ByteBuffer.wrap("show stat\n".getBytes(StandardCharsets.US_ASCII)));
            csv = new String(Channels.newInputStream(socket).readAllBytes(), StandardCharsets.US_ASCII);
        }
        return csv.lines()
                .filter(line -> line.startsWith("mqtt_bridges,") && !line.startsWith("mqtt_bridges,BACKEND"))
                .map(line -> line.split(","))
                .collect(Collectors.toMap(fields -> fields[1], fields -> fields[17]));
    }

    @Override
    public void close() {
        process.close();
        TempDirs.deleteQuietly(dir);
    }
}
