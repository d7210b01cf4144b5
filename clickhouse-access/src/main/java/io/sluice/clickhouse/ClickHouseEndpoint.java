package io.sluice.clickhouse;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

import com.clickhouse.client.api.Client;

/**
 * Where ClickHouse is and who to be there. {@link #toString()} leaves the password out, so that an
 * endpoint can be logged.
 *
 * <p>Compression is off in both directions on every connection: the Debian build of ClickHouse 18.16
 * answers compressed requests with an empty body, and on loopback it buys nothing.
 */
public record ClickHouseEndpoint(String url, String user, String password) {

    public ClickHouseEndpoint {
        URI uri = URI.create(url);
        if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme()) || uri.getHost() == null) {
            throw new IllegalArgumentException("ClickHouse URL must be http(s)://host:port, got " + url);
        }
        url = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }

    public String jdbcUrl() {
        return "jdbc:clickhouse:" + url;
    }

    public Properties jdbcProperties() {
        Properties properties = new Properties();
        properties.setProperty("user", user);
        properties.setProperty("password", password);
        properties.setProperty("compress", "false");
        properties.setProperty("decompress", "false");
        properties.setProperty("client.use_http_compression", "false");
        return properties;
    }

    /** A clickhouse-java client (client-v2) for this endpoint, for RowBinary inserts. */
    public Client client() {
        return new Client.Builder().addEndpoint(url).setUsername(user).setPassword(password)
                .compressServerResponse(false).compressClientRequest(false).useHttpCompression(false)
                .build();
    }

    /**
     * The password kept in {@code file} (its first line), as {@code ./sluice up} makes it for the native stack: a file
     * readable by its owner only keeps the secret out of process arguments and environments.
     *
     * @throws IllegalArgumentException naming the file (never its content) when it cannot be read or is empty
     */
    public static String passwordFrom(Path file) {
        try {
            String password = Files.readString(file, StandardCharsets.UTF_8).lines().findFirst().orElse("").strip();
            if (password.isEmpty()) {
                throw new IllegalArgumentException("the ClickHouse password file " + file + " is empty");
            }
            return password;
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read the ClickHouse password file " + file + ": " + e.getClass().getSimpleName());
        }
    }

    @Override
    public String toString() {
        return url + " as " + user;
    }
}
