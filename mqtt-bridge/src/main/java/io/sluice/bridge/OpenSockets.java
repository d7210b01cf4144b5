package io.sluice.bridge;

import java.util.concurrent.atomic.AtomicInteger;

import io.vertx.core.VertxOptions;
import io.vertx.core.net.SocketAddress;
import io.vertx.core.net.TcpServerConfig;
import io.vertx.core.spi.VertxMetricsFactory;
import io.vertx.core.spi.metrics.TransportMetrics;
import io.vertx.core.spi.metrics.VertxMetrics;

/**
 * The bridge's open MQTT sockets, from accept to close, whether or not they sent CONNECT yet: the connection limit
 * counts them all, so that sockets left idle before CONNECT (until {@code mqtt.connect.timeout.seconds} closes them)
 * cannot pile up beyond it. Counted through Vert.x's metrics SPI, the one place that sees every accepted socket of
 * an MQTT server.
 */
final class OpenSockets implements VertxMetricsFactory {

    private final AtomicInteger open = new AtomicInteger();

    @Override
    public VertxMetrics metrics(VertxOptions options) {
        return new VertxMetrics() {
            @Override
            public TransportMetrics<?> createTcpServerMetrics(TcpServerConfig server, String protocol, SocketAddress localAddress) {
                return new TransportMetrics<Object>() {
                    @Override
                    public Object connected(SocketAddress remoteAddress, String remoteName) {
                        open.incrementAndGet();
                        return null;
                    }

                    @Override
                    public void disconnected(Object socket, SocketAddress remoteAddress) {
                        open.decrementAndGet();
                    }
                };
            }
        };
    }

    int open() {
        return open.get();
    }

    AtomicInteger counter() {
        return open;
    }
}
