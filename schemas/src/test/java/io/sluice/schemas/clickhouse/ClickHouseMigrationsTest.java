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

import io.sluice.schemas.clickhouse.ClickHouseMigrations.Migration;

class ClickHouseMigrationsTest {

    @Test
    void everyMigrationFileIsListedInOrder() throws IOException {
        try (Stream<Path> files = Files.list(Path.of("src/main/resources/clickhouse/migrations"))) {
            List<String> onDisk = files.map(p -> p.getFileName().toString()).sorted().toList();
            assertEquals(onDisk, ClickHouseMigrations.FILES, "a migration file is missing from ClickHouseMigrations.FILES");
        }
        List<Migration> all = ClickHouseMigrations.all();
        for (int i = 0; i < all.size(); i++) {
            assertEquals(i + 1, all.get(i).version(), "versions run 1, 2, 3... without gaps");
        }
    }

    @Test
    void everyMigrationIsOneIdempotentStatementForBothClickHouseVersions() {
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
}
