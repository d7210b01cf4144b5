package io.sluice.runtime;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

/**
 * The operations endpoint every Sluice service exposes over HTTP:
 * <ul>
 *   <li>{@code /health/live}: 200 while the process runs;</li>
 *   <li>{@code /health/ready}: 200 when the service can do its work (its dependencies are reachable),
 *       503 otherwise; load balancers and orchestrators route on it;</li>
 *   <li>{@code /metrics}: Prometheus text exposition of the service's Micrometer registry.</li>
 * </ul>
 */
public final class OpsEndpoint implements AutoCloseable {

    private final HttpServer server;

    private OpsEndpoint(HttpServer server) {
        this.server = server;
    }

    public static OpsEndpoint start(String host, int port, PrometheusMeterRegistry registry, BooleanSupplier ready)
            throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(host, port), 64);
        server.createContext("/health/live", exchange -> respond(exchange, 200, "text/plain", "live\n"));
        server.createContext("/health/ready", exchange -> {
            boolean isReady = ready.getAsBoolean();
            respond(exchange, isReady ? 200 : 503, "text/plain", isReady ? "ready\n" : "not ready\n");
        });
        server.createContext("/metrics", exchange ->
                respond(exchange, 200, "text/plain; version=0.0.4; charset=utf-8", registry.scrape()));
        server.createContext("/", exchange -> respond(exchange, 404, "text/plain",
                "not found; try /health/live, /health/ready or /metrics\n"));
        server.setExecutor(Executors.newFixedThreadPool(2, runnable -> {
            Thread thread = new Thread(runnable, "ops-http");
            thread.setDaemon(true);
            return thread;
        }));
        server.start();
        return new OpsEndpoint(server);
    }

    public int port() {
        return server.getAddress().getPort();
    }

    private static void respond(HttpExchange exchange, int status, String contentType, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
