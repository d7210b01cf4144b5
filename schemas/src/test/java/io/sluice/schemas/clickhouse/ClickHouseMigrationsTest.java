package io.sluice.schemas.clickhouse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import io.sluice.schemas.clickhouse.ClickHouseMigrations.Dialect;
import io.sluice.schemas.clickhouse.ClickHouseMigrations.Migration;

class ClickHouseMigrationsTest {

    @Test
    void everyMigrationFileIsListedInOrder() throws IOException {
        for (Dialect dialect : Dialect.values()) {
            try (Stream<Path> files = Files.list(Path.of("src/main/resources/clickhouse/migrations", dialect.folder()))) {
                List<String> onDisk = files.map(p -> p.getFileName().toString()).sorted().toList();
                assertEquals(ClickHouseMigrations.FILES, onDisk, "the same migrations in every dialect: " + dialect);
            }
        }
        List<Migration> all = ClickHouseMigrations.all();
        for (int i = 0; i < all.size(); i++) {
            assertEquals(i + 1, all.get(i).version(), "versions run 1, 2, 3... without gaps");
        }
    }

    @Test
    void everyMigrationIsOneIdempotentStatementAndThePortableOnesRunOn1816() {
        for (Migration migration : ClickHouseMigrations.all()) {
            String sql = migration.sql();
            assertFalse(sql.isBlank(), migration.name());
            assertFalse(sql.contains("--"), "comments are stripped: " + migration.name());
            assertFalse(sql.strip().endsWith(";"), "one statement, no terminator: " + migration.name());
            assertTrue(sql.contains("IF NOT EXISTS"), "safe to run twice: " + migration.name());
            for (String unavailableOn1816 : List.of("DateTime64", "TTL", "CODEC", "LowCardinality", "SimpleAggregateFunction")) {
                assertFalse(sql.contains(unavailableOn1816), unavailableOn1816 + " does not exist on ClickHouse 18.16: "
                        + migration.name());
            }
        }
    }

    @Test
    void theCurrentDialectHasThePortableColumnsSoThatInsertsAndQueriesRunOnBoth() {
        List<Migration> portable = ClickHouseMigrations.all(Dialect.PORTABLE);
        List<Migration> current = ClickHouseMigrations.all(Dialect.CURRENT);
        for (int i = 0; i < portable.size(); i++) {
            assertEquals(portable.get(i).name(), current.get(i).name());
            assertTrue(current.get(i).sql().contains("IF NOT EXISTS"), "safe to run twice: " + current.get(i).name());
            for (String column : columns(portable.get(i).sql())) {
                assertTrue(columns(current.get(i).sql()).contains(column), current.get(i).name() + " has " + column);
            }
            if (i > 0) {
                assertTrue(current.get(i).sql().contains("TTL") && current.get(i).sql().contains("ttl_only_drop_parts = 1"),
                        "retention drops whole parts: " + current.get(i).name());
            }
        }
    }

    @Test
    void aMigrationsChecksumFollowsItsStatementButNotItsComments() {
        Migration telemetry = ClickHouseMigrations.all(Dialect.PORTABLE).get(1);
        assertEquals(ClickHouseMigrations.checksum(telemetry.sql()), telemetry.checksum());
        assertEquals(64, telemetry.checksum().length());
        assertFalse(ClickHouseMigrations.checksum(telemetry.sql() + " ").equals(telemetry.checksum()));
        assertFalse(telemetry.sql().contains("--"));
    }

    @Test
    void theServersVersionPicksTheDialect() {
        assertEquals(Dialect.PORTABLE, Dialect.forServer("18.16.1"));
        assertEquals(Dialect.PORTABLE, Dialect.forServer("23.3.22.3"));
        assertEquals(Dialect.CURRENT, Dialect.forServer("23.8.1.1"));
        assertEquals(Dialect.CURRENT, Dialect.forServer("25.8.3.66"));
        assertEquals(Dialect.CURRENT, Dialect.forServer("26.7.2.1"));
        assertEquals(Dialect.PORTABLE, Dialect.forServer("not a version"));
    }

    /** The column names a CREATE TABLE declares (the first word of each line inside its parentheses). */
    private static java.util.Set<String> columns(String sql) {
        java.util.Set<String> names = new java.util.TreeSet<>();
        int open = sql.indexOf('(');
        int close = sql.lastIndexOf(")\nENGINE");
        if (open < 0 || close < 0) {
            return names;
        }
        for (String line : sql.substring(open + 1, close).split("\n")) {
            String word = line.strip().split("\\s+")[0];
            if (!word.isEmpty()) {
                names.add(word);
            }
        }
        return names;
    }
}
