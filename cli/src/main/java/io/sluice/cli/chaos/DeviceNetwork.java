package io.sluice.cli.chaos;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The devices' side of the network for the network-cut scenario: a network namespace joined to the host by a veth
 * pair, with a relay in the namespace ({@value #DEVICE_ADDRESS}:{@value #PORT}) and one on the host, in front of
 * HAProxy. Devices connect to the namespace's address, so their packets cross the veth; {@link #cut()} takes the
 * namespace's end down (the packets are dropped, as on a broken link), {@link #heal()} brings it back. Needs root.
 */
final class DeviceNetwork implements AutoCloseable {

    static final String NAMESPACE = "sluice-chaos";
    static final String DEVICE_ADDRESS = "10.231.0.2";
    static final int PORT = 1883;
    private static final String HOST_ADDRESS = "10.231.0.1";
    private static final int HOST_RELAY_PORT = 11883;

    private final TcpRelay hostRelay;
    private final Process namespaceRelay;

    private DeviceNetwork(TcpRelay hostRelay, Process namespaceRelay) {
        this.hostRelay = hostRelay;
        this.namespaceRelay = namespaceRelay;
    }

    /** Makes the namespace, the veth pair and the relays; {@code mqtt} is HAProxy's address on the host. */
    static DeviceNetwork create(InetSocketAddress mqtt, Path logs) throws IOException {
        removeLeftovers();
        ip("netns", "add", NAMESPACE);
        ip("link", "add", "sluice-h", "type", "veth", "peer", "name", "sluice-d");
        ip("link", "set", "sluice-d", "netns", NAMESPACE);
        ip("addr", "add", HOST_ADDRESS + "/30", "dev", "sluice-h");
        ip("link", "set", "sluice-h", "up");
        ip("-n", NAMESPACE, "addr", "add", DEVICE_ADDRESS + "/30", "dev", "sluice-d");
        ip("-n", NAMESPACE, "link", "set", "sluice-d", "up");
        ip("-n", NAMESPACE, "link", "set", "lo", "up");
        TcpRelay host = TcpRelay.start(new InetSocketAddress(HOST_ADDRESS, HOST_RELAY_PORT), mqtt);
        String java = ProcessHandle.current().info().command().orElse("java");
        Process relay = new ProcessBuilder("ip", "netns", "exec", NAMESPACE, java, "-Xmx128m", "-cp",
                System.getProperty("java.class.path"), TcpRelay.class.getName(), DEVICE_ADDRESS + ":" + PORT,
                HOST_ADDRESS + ":" + HOST_RELAY_PORT).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logs.resolve("chaos-relay.log").toFile())).start();
        DeviceNetwork network = new DeviceNetwork(host, relay);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!listening()) {
            if (System.nanoTime() > deadline || !relay.isAlive()) {
                network.close();
                throw new IOException("the relay in network namespace " + NAMESPACE + " did not start; see " + logs.resolve("chaos-relay.log"));
            }
            sleep(100);
        }
        return network;
    }

    private static boolean listening() {
        try (java.net.Socket probe = new java.net.Socket()) {
            probe.connect(new InetSocketAddress(DEVICE_ADDRESS, PORT), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** The link goes down on the devices' side: packets in both directions are dropped until {@link #heal()}. */
    void cut() {
        ipUnchecked("-n", NAMESPACE, "link", "set", "sluice-d", "down");
    }

    void heal() {
        ipUnchecked("-n", NAMESPACE, "link", "set", "sluice-d", "up");
    }

    @Override
    public void close() {
        namespaceRelay.destroyForcibly();
        try {
            hostRelay.close();
        } catch (IOException e) {
            // closing
        }
        removeLeftovers();
    }

    private static void removeLeftovers() {
        try {
            run(List.of("ip", "netns", "del", NAMESPACE));
            run(List.of("ip", "link", "del", "sluice-h"));
        } catch (IOException e) {
            // nothing to remove
        }
    }

    private static void ip(String... arguments) throws IOException {
        List<String> command = new ArrayList<>(List.of("ip"));
        command.addAll(List.of(arguments));
        String failure = run(command);
        if (failure != null) {
            throw new IOException("'" + String.join(" ", command) + "' failed (the network-cut scenario needs root): " + failure);
        }
    }

    private static void ipUnchecked(String... arguments) {
        try {
            ip(arguments);
        } catch (IOException e) {
            throw new IllegalStateException(e.getMessage());
        }
    }

    /** Runs a command; its output when it failed, else null. */
    private static String run(List<String> command) throws IOException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes()).strip();
        try {
            return process.waitFor() == 0 ? null : output;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
