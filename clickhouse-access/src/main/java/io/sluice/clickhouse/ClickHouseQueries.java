package io.sluice.clickhouse;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * Reads from ClickHouse over its HTTP interface, as tab-separated rows. clickhouse-jdbc cannot read
 * from ClickHouse 18.16 (its result format does not exist there), so everything Sluice reads (the
 * migration history, reports, tests) goes through here; the sink writes through clickhouse-java's client-v2
 * (RowBinary, every table).
 */
public final class ClickHouseQueries {

    private final ClickHouseEndpoint endpoint;
    private final HttpClient http;

    public ClickHouseQueries(ClickHouseEndpoint endpoint) {
        this.endpoint = endpoint;
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    }

    /** Runs a query and returns its rows, each split into columns. */
    public List<String[]> rows(String sql) throws IOException, InterruptedException {
        String body = text(sql + " FORMAT TabSeparated");
        List<String[]> rows = new ArrayList<>();
        for (String line : body.split("\n")) {
            if (!line.isEmpty()) {
                rows.add(line.split("\t", -1));
            }
        }
        return rows;
    }

    /** Runs a query whose answer is one number, such as {@code SELECT count() FROM t}. */
    public long number(String sql) throws IOException, InterruptedException {
        return Long.parseLong(text(sql).strip());
    }

    /** Runs any statement and returns the server's answer as text; it must answer within a minute. */
    public String text(String sql) throws IOException, InterruptedException {
        return text(sql, Duration.ofSeconds(60));
    }

    /** Runs a statement that may take longer than a minute (copying a whole table), waiting up to {@code timeout}. */
    public String text(String sql, Duration timeout) throws IOException, InterruptedException {
        return send(sql, HttpRequest.BodyPublishers.noBody(), timeout);
    }

    /** Runs an {@code INSERT ... FORMAT f} whose rows are {@code body}, in that format. */
    public String insert(String sql, byte[] body) throws IOException, InterruptedException {
        return send(sql, HttpRequest.BodyPublishers.ofByteArray(body), Duration.ofSeconds(300));
    }

    private String send(String sql, HttpRequest.BodyPublisher body, Duration timeout) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create(endpoint.url() + "/?enable_http_compression=0&query="
                        + URLEncoder.encode(sql, StandardCharsets.UTF_8)))
                .timeout(timeout)
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                        (endpoint.user() + ":" + endpoint.password()).getBytes(StandardCharsets.UTF_8)))
                .POST(body)
                .build();
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new ClickHouseException(response.statusCode(), response.body());
        }
        return response.body();
    }

    /** Whether the server answers {@code /ping}. */
    public boolean ping() {
        try {
            HttpRequest request = HttpRequest.newBuilder(URI.create(endpoint.url() + "/ping"))
                    .timeout(Duration.ofSeconds(2)).GET().build();
            return http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
