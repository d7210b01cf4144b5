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
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

import com.clickhouse.client.api.Client;
import com.clickhouse.client.api.data_formats.ClickHouseBinaryFormatReader;
import com.clickhouse.client.api.query.QueryResponse;

/**
 * Reads from ClickHouse over its HTTP interface, as tab-separated rows. clickhouse-jdbc cannot read
 * from ClickHouse 18.16 (its result format does not exist there), so everything Sluice reads (the
 * migration history, reports, tests) goes through here; the sink writes through clickhouse-java's client-v2
 * (RowBinary, every table). Large reads go through {@link #read}, typed and binary where the server can.
 */
public final class ClickHouseQueries {

    /** The oldest server {@link #read} reads in binary: the current dialect's minimum, where it is tested (26.7). */
    static final int[] TYPED_READS_MINIMUM = {23, 8};

    private final ClickHouseEndpoint endpoint;
    private final HttpClient http;
    private Boolean typedReads;

    /** One row of {@link #read}: its columns by position, from 1 (as in JDBC and client-v2). */
    public interface Row {
        String string(int column);

        long integer(int column);

        double real(int column);
    }

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

    /**
     * Reads a query's rows one at a time, typed, without holding them all. On a current server (23.8 and later) through
     * client-v2's reader of RowBinaryWithNamesAndTypes: binary values, nothing for the server to format or for this
     * side to parse, about half the client CPU per row of {@link #rows} ({@code ./sluice bench storage}).
     * ClickHouse 18.16 has no such format; there the rows come as TabSeparated text, unescaped.
     */
    public void read(String sql, Consumer<Row> each) throws IOException, InterruptedException {
        if (!typedReads()) {
            for (String[] row : rows(sql)) {
                each.accept(new TextRow(row));
            }
            return;
        }
        try (Client client = endpoint.client();
             QueryResponse response = client.query(sql).get(300, TimeUnit.SECONDS)) {
            ClickHouseBinaryFormatReader reader = client.newBinaryFormatReader(response);
            Row row = new BinaryRow(reader);
            while (reader.hasNext()) {
                reader.next();
                each.accept(row);
            }
        } catch (ExecutionException e) {
            throw new IOException(e.getCause() != null ? e.getCause().getMessage() : e.getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new IOException("ClickHouse did not answer within 300 s: " + sql);
        } catch (IOException | InterruptedException | RuntimeException e) {
            throw e;
        } catch (Exception e) { // closing the response
            throw new IOException(e.getMessage(), e);
        }
    }

    /** Whether {@link #read} reads in binary: the server's version, asked once. */
    public boolean typedReads() throws IOException, InterruptedException {
        if (typedReads == null) {
            typedReads = atLeast(text("SELECT version()").strip(), TYPED_READS_MINIMUM);
        }
        return typedReads;
    }

    /** Whether a version such as {@code 26.7.1.1} is at least {@code minimum} (major, minor). */
    static boolean atLeast(String version, int[] minimum) {
        String[] parts = version.split("\\.");
        try {
            int major = Integer.parseInt(parts[0]);
            int minor = parts.length > 1 ? Integer.parseInt(parts[1]) : 0;
            return major > minimum[0] || major == minimum[0] && minor >= minimum[1];
        } catch (NumberFormatException e) {
            return false;
        }
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

    private record BinaryRow(ClickHouseBinaryFormatReader reader) implements Row {
        @Override
        public String string(int column) {
            return reader.getString(column);
        }

        @Override
        public long integer(int column) {
            return reader.getLong(column);
        }

        @Override
        public double real(int column) {
            return reader.getDouble(column);
        }
    }

    /** A TabSeparated row: strings unescaped as ClickHouse escapes them (backslash sequences). */
    private record TextRow(String[] columns) implements Row {
        @Override
        public String string(int column) {
            return unescape(columns[column - 1]);
        }

        @Override
        public long integer(int column) {
            return Long.parseLong(columns[column - 1]);
        }

        @Override
        public double real(int column) {
            return Double.parseDouble(columns[column - 1]);
        }
    }

    /** A TabSeparated field as its text: {@code \t}, {@code \n}, {@code \\} and the other escapes ClickHouse writes. */
    public static String unescape(String field) {
        int slash = field.indexOf('\\');
        if (slash < 0) {
            return field;
        }
        StringBuilder text = new StringBuilder(field.length()).append(field, 0, slash);
        for (int i = slash; i < field.length(); i++) {
            char c = field.charAt(i);
            if (c != '\\' || i + 1 == field.length()) {
                text.append(c);
                continue;
            }
            char next = field.charAt(++i);
            text.append(switch (next) {
                case 't' -> '\t';
                case 'n' -> '\n';
                case 'r' -> '\r';
                case 'b' -> '\b';
                case 'f' -> '\f';
                case '0' -> '\0';
                default -> next; // \\, \', and any other escaped character stands for itself
            });
        }
        return text.toString();
    }
}
