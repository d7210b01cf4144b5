package io.sluice.cli.chaos;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;

/**
 * A plain TCP relay, a thread per direction: how the devices of the network-cut scenario reach HAProxy across a veth
 * pair (devices -> relay in the namespace -> relay on the host -> HAProxy), so that taking the veth down cuts their
 * connections silently, as a broken link does. Run in the namespace as a process of its own
 * ({@code ip netns exec NS java -cp cli.jar io.sluice.cli.chaos.TcpRelay LISTEN_HOST:PORT TARGET_HOST:PORT}).
 */
public final class TcpRelay implements AutoCloseable {

    private final ServerSocket server;
    private final InetSocketAddress target;

    private TcpRelay(ServerSocket server, InetSocketAddress target) {
        this.server = server;
        this.target = target;
    }

    public static TcpRelay start(InetSocketAddress listen, InetSocketAddress target) throws IOException {
        ServerSocket server = new ServerSocket();
        server.setReuseAddress(true);
        server.bind(listen, 4096);
        TcpRelay relay = new TcpRelay(server, target);
        Thread accept = new Thread(relay::accept, "relay-accept-" + listen.getPort());
        accept.setDaemon(true);
        accept.start();
        return relay;
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket device = server.accept();
                Socket upstream = new Socket();
                try {
                    upstream.connect(target, 5000);
                } catch (IOException e) {
                    device.close();
                    upstream.close();
                    continue;
                }
                device.setTcpNoDelay(true);
                upstream.setTcpNoDelay(true);
                pump(device, upstream);
                pump(upstream, device);
            } catch (IOException e) {
                if (server.isClosed()) {
                    return;
                }
            }
        }
    }

    private static void pump(Socket from, Socket to) {
        Thread thread = new Thread(() -> {
            byte[] buffer = new byte[16 * 1024];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                for (int n; (n = in.read(buffer)) >= 0; ) {
                    out.write(buffer, 0, n);
                }
            } catch (IOException e) {
                // one side went away: the other goes too
            } finally {
                closeQuietly(from);
                closeQuietly(to);
            }
        }, "relay");
        thread.setDaemon(true);
        thread.start();
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // closing
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
    }

    private static InetSocketAddress address(String hostPort) {
        int colon = hostPort.lastIndexOf(':');
        return new InetSocketAddress(hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1)));
    }

    public static void main(String[] args) throws Exception {
        start(address(args[0]), address(args[1]));
        Thread.currentThread().join();
    }
}
