package io.sluice.cli;

import java.nio.file.Files;
import java.nio.file.Path;

import io.sluice.clickhouse.ClickHouseEndpoint;
import picocli.CommandLine.Option;

/**
 * Where the stack is: the native stack's addresses by default, or what the environment says
 * ({@code SLUICE_KAFKA}, {@code SLUICE_CLICKHOUSE_URL}, {@code SLUICE_CLICKHOUSE_USER}). The ClickHouse password is
 * read only from {@code SLUICE_CLICKHOUSE_PASSWORD}, never from an argument, so that it shows in no process list; without
 * it, from the native stack's {@code $SLUICE_HOME/clickhouse-password} (made by {@code ./sluice up}) when there is one.
 */
final class StackOptions {

    @Option(names = "--kafka", paramLabel = "HOST:PORT", defaultValue = "${env:SLUICE_KAFKA:-127.0.0.1:9092}",
            description = "Kafka bootstrap servers (default: ${DEFAULT-VALUE}; env SLUICE_KAFKA)")
    String kafka;

    @Option(names = "--clickhouse", paramLabel = "URL", defaultValue = "${env:SLUICE_CLICKHOUSE_URL:-http://127.0.0.1:8123}",
            description = "ClickHouse HTTP interface (default: ${DEFAULT-VALUE}; env SLUICE_CLICKHOUSE_URL)")
    String clickHouseUrl;

    @Option(names = "--clickhouse-user", paramLabel = "USER", defaultValue = "${env:SLUICE_CLICKHOUSE_USER:-default}",
            description = "ClickHouse user (default: ${DEFAULT-VALUE}; env SLUICE_CLICKHOUSE_USER; the password from"
                    + " SLUICE_CLICKHOUSE_PASSWORD only)")
    String clickHouseUser;

    ClickHouseEndpoint clickHouse() {
        try {
            String password = System.getenv("SLUICE_CLICKHOUSE_PASSWORD");
            Path stackPassword = home().resolve("clickhouse-password");
            if (password == null && Files.exists(stackPassword)) {
                password = ClickHouseEndpoint.passwordFrom(stackPassword);
            }
            return new ClickHouseEndpoint(clickHouseUrl, clickHouseUser, password == null ? "" : password);
        } catch (IllegalArgumentException e) {
            throw new UserError(e.getMessage());
        }
    }

    /** Queries on the stack's ClickHouse, once it answers; a user error saying so when it does not. */
    io.sluice.clickhouse.ClickHouseQueries runningClickHouse() {
        io.sluice.clickhouse.ClickHouseQueries queries = new io.sluice.clickhouse.ClickHouseQueries(clickHouse());
        if (!queries.ping()) {
            throw new UserError("ClickHouse does not answer at " + clickHouseUrl + "; is the stack up (./sluice up)?");
        }
        return queries;
    }

    /** The native stack's state folder: {@code SLUICE_HOME}, which ./sluice sets, else {@code .sluice}. */
    static Path home() {
        String home = System.getenv("SLUICE_HOME");
        return Path.of(home == null || home.isBlank() ? ".sluice" : home);
    }
}
