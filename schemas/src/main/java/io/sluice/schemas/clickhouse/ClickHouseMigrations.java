package io.sluice.schemas.clickhouse;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The ClickHouse schema as ordered migrations: SQL files under {@code clickhouse/migrations/}
 * named {@code V<version>__<name>.sql}, each holding one statement that is safe to run twice
 * ({@code IF NOT EXISTS}), so that several sinks may start at once. Every file runs unchanged on
 * ClickHouse 18.16 and on current ClickHouse.
 *
 * <p>The applied versions are recorded in {@link #HISTORY_TABLE}.
 */
public final class ClickHouseMigrations {

    public static final String DATABASE = "sluice";
    public static final String HISTORY_TABLE = DATABASE + ".schema_migrations";

    /** The history table itself is created before any migration runs. */
    public static final String CREATE_HISTORY_TABLE = "CREATE TABLE IF NOT EXISTS " + HISTORY_TABLE
            + " (version UInt32, name String, applied_at DateTime('UTC') DEFAULT now())"
            + " ENGINE = ReplacingMergeTree ORDER BY version";

    /** In order. A new migration is added at the end, never inserted before an existing one. */
    static final List<String> FILES = List.of(
            "V001__database.sql",
            "V002__telemetry.sql",
            "V003__rejected.sql",
            "V004__device_sessions.sql",
            "V005__telemetry_1m.sql",
            "V006__telemetry_1h.sql",
            "V007__anomalies.sql");

    private ClickHouseMigrations() {
    }

    /** One migration: its version, its name and its statement. */
    public record Migration(int version, String name, String sql) {
    }

    public static List<Migration> all() {
        List<Migration> migrations = new ArrayList<>();
        for (String file : FILES) {
            int separator = file.indexOf("__");
            int version = Integer.parseInt(file.substring(1, separator));
            String name = file.substring(separator + 2, file.length() - ".sql".length());
            migrations.add(new Migration(version, name, read(file)));
        }
        return List.copyOf(migrations);
    }

    private static String read(String file) {
        String path = "/clickhouse/migrations/" + file;
        try (InputStream in = ClickHouseMigrations.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("migration missing from the classpath: " + path);
            }
            return withoutComments(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String withoutComments(String sql) {
        StringBuilder statement = new StringBuilder();
        for (String line : sql.split("\n")) {
            if (!line.strip().startsWith("--")) {
                statement.append(line).append('\n');
            }
        }
        return statement.toString().strip();
    }
}
