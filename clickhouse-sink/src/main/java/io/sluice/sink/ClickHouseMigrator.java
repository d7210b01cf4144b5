package io.sluice.sink;

import io.sluice.clickhouse.ClickHouseQueries;
import io.sluice.clickhouse.ClickHouseEndpoint;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashSet;
import java.util.Set;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.sluice.schemas.clickhouse.ClickHouseMigrations;
import io.sluice.schemas.clickhouse.ClickHouseMigrations.Migration;

/**
 * Brings a ClickHouse server's schema up to date: runs, in order, each migration of
 * {@link ClickHouseMigrations} not yet recorded in the history table, and records it. Every migration
 * is idempotent, so two sinks starting at once may both run one, harmlessly; the history table
 * (a ReplacingMergeTree keyed by version) keeps one row per version.
 */
public final class ClickHouseMigrator {

    private static final Logger LOG = LoggerFactory.getLogger(ClickHouseMigrator.class);

    private ClickHouseMigrator() {
    }

    /** Returns how many migrations it ran. */
    public static int migrate(ClickHouseEndpoint endpoint) throws SQLException, java.io.IOException, InterruptedException {
        ClickHouseQueries queries = new ClickHouseQueries(endpoint);
        try (Connection connection = DriverManager.getConnection(endpoint.jdbcUrl(), endpoint.jdbcProperties());
             Statement statement = connection.createStatement()) {
            statement.execute("CREATE DATABASE IF NOT EXISTS " + ClickHouseMigrations.DATABASE);
            statement.execute(ClickHouseMigrations.CREATE_HISTORY_TABLE);
            Set<Integer> applied = new HashSet<>();
            for (String[] row : queries.rows("SELECT DISTINCT version FROM " + ClickHouseMigrations.HISTORY_TABLE)) {
                applied.add(Integer.parseInt(row[0]));
            }
            int ran = 0;
            for (Migration migration : ClickHouseMigrations.all()) {
                if (applied.contains(migration.version())) {
                    continue;
                }
                statement.execute(migration.sql());
                try (PreparedStatement record = connection.prepareStatement(
                        "INSERT INTO " + ClickHouseMigrations.HISTORY_TABLE + " (version, name) VALUES (?, ?)")) {
                    record.setInt(1, migration.version());
                    record.setString(2, migration.name());
                    record.executeUpdate();
                }
                LOG.info("applied ClickHouse migration V{} {}", migration.version(), migration.name());
                ran++;
            }
            return ran;
        }
    }
}
