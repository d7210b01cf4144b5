package io.sluice.sink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

import io.sluice.clickhouse.ClickHouseEndpoint;
import io.sluice.clickhouse.ClickHouseQueries;
import io.sluice.schemas.clickhouse.ClickHouseMigrations;
import io.sluice.schemas.clickhouse.ClickHouseMigrations.Dialect;
import io.sluice.schemas.clickhouse.ClickHouseMigrations.Migration;
import io.sluice.testing.ClickHouseTestServer;

/** The schema history on a real ClickHouse 18.16: dialect, checksums, and the history an earlier Sluice left. */
class ClickHouseMigratorIT {

    @Test
    void anOldServerGetsThePortableTablesRecordedWithTheirChecksums() throws Exception {
        try (ClickHouseTestServer server = ClickHouseTestServer.start()) {
            ClickHouseQueries clickHouse = new ClickHouseQueries(new ClickHouseEndpoint(server.url(), "default", ""));
            ClickHouseMigrator.Result result = ClickHouseMigrator.run(clickHouse);
            assertEquals(Dialect.PORTABLE, result.dialect());
            assertEquals(ClickHouseMigrations.all().size(), result.ran());
            List<String[]> history = clickHouse.rows("SELECT version, dialect, checksum FROM " + ClickHouseMigrations.HISTORY_TABLE
                    + " FINAL ORDER BY version");
            List<Migration> portable = ClickHouseMigrations.all(Dialect.PORTABLE);
            for (int i = 0; i < portable.size(); i++) {
                assertEquals("portable", history.get(i)[1]);
                assertEquals(portable.get(i).checksum(), history.get(i)[2], "the checksum of " + portable.get(i).name());
            }
            assertEquals(0, ClickHouseMigrator.run(clickHouse).ran(), "nothing left to run");
        }
    }

    @Test
    void anEditedMigrationIsAnErrorNamingIt() throws Exception {
        try (ClickHouseTestServer server = ClickHouseTestServer.start()) {
            ClickHouseQueries clickHouse = new ClickHouseQueries(new ClickHouseEndpoint(server.url(), "default", ""));
            ClickHouseMigrator.run(clickHouse);
            // As if V002's file had changed after it was applied: the recorded checksum no longer matches.
            clickHouse.text("INSERT INTO " + ClickHouseMigrations.HISTORY_TABLE
                    + " (version, dialect, name, checksum) VALUES (2, 'portable', 'telemetry', 'deadbeef')");
            clickHouse.text("OPTIMIZE TABLE " + ClickHouseMigrations.HISTORY_TABLE + " FINAL");
            ConfigException error = assertThrows(ConfigException.class, () -> ClickHouseMigrator.run(clickHouse));
            assertTrue(error.getMessage().startsWith("ClickHouse migration V002 telemetry (portable) was edited after it was"
                    + " applied (checksum deadbeef recorded"), error.getMessage());
        }
    }

    @Test
    void theHistoryAnEarlierSluiceLeftIsAdoptedWithoutRunningAnything() throws Exception {
        try (ClickHouseTestServer server = ClickHouseTestServer.start()) {
            ClickHouseQueries clickHouse = new ClickHouseQueries(new ClickHouseEndpoint(server.url(), "default", ""));
            // What Sluice recorded before dialects and checksums: versions only, in schema_migrations.
            clickHouse.text("CREATE DATABASE sluice");
            clickHouse.text("CREATE TABLE sluice.schema_migrations (version UInt32, name String, applied_at DateTime('UTC')"
                    + " DEFAULT now()) ENGINE = ReplacingMergeTree ORDER BY version");
            for (Migration migration : ClickHouseMigrations.all(Dialect.PORTABLE)) {
                clickHouse.text(migration.sql());
                clickHouse.text("INSERT INTO sluice.schema_migrations (version, name) VALUES (" + migration.version() + ", '"
                        + migration.name() + "')");
            }
            ClickHouseMigrator.Result result = ClickHouseMigrator.run(clickHouse);
            assertEquals(new ClickHouseMigrator.Result(Dialect.PORTABLE, 0), result);
            assertEquals(ClickHouseMigrations.all().size(), clickHouse.number("SELECT count() FROM "
                    + ClickHouseMigrations.HISTORY_TABLE + " FINAL WHERE dialect = 'portable' AND length(checksum) = 64"));
        }
    }
}
