package io.sluice.schemas.clickhouse;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * The ClickHouse schema as ordered migrations, in two dialects with one history: SQL files under
 * {@code clickhouse/migrations/<dialect>/} named {@code V<version>__<name>.sql}, each holding one statement that is safe to
 * run twice ({@code IF NOT EXISTS}), so that several sinks may start at once. Both dialects have the same versions, table
 * names and column names, so every query and insert runs on both; they differ in types, codecs, partitioning and
 * retention ({@link Dialect}).
 *
 * <p>The applied versions are recorded in {@link #HISTORY_TABLE} with their dialect and a checksum of their statement: an
 * applied migration edited afterwards is an error, not silently skipped.
 */
public final class ClickHouseMigrations {

    public static final String DATABASE = "sluice";
    public static final String HISTORY_TABLE = DATABASE + ".schema_history";
    /** Where versions were recorded before dialects and checksums (adopted into {@link #HISTORY_TABLE} once). */
    public static final String LEGACY_HISTORY_TABLE = DATABASE + ".schema_migrations";

    /** The history table itself is created before any migration runs. */
    public static final String CREATE_HISTORY_TABLE = "CREATE TABLE IF NOT EXISTS " + HISTORY_TABLE
            + " (version UInt32, dialect String, name String, checksum String, applied_at DateTime('UTC') DEFAULT now())"
            + " ENGINE = ReplacingMergeTree ORDER BY (dialect, version)";

    /** The tables' shapes: chosen once per database, by the server's version when its first sink starts. */
    public enum Dialect {
        /** Runs on every version from 18.16: epoch milliseconds, plain strings, day partitions dropped by the sink. */
        PORTABLE("portable"),
        /**
         * For ClickHouse {@link #CURRENT_MINIMUM} and later: DateTime64 times, LowCardinality ids, codecs chosen by
         * measurement ({@code ./sluice bench storage}), TTL retention that drops whole parts, monthly partitions.
         */
        CURRENT("current");

        private final String folder;

        Dialect(String folder) {
            this.folder = folder;
        }

        public String folder() {
            return folder;
        }

        public static Dialect named(String folder) {
            for (Dialect dialect : values()) {
                if (dialect.folder.equals(folder)) {
                    return dialect;
                }
            }
            throw new IllegalArgumentException("no ClickHouse dialect '" + folder + "' (portable or current)");
        }

        /** The dialect a database on a server answering {@code SELECT version()} with {@code version} starts in. */
        public static Dialect forServer(String version) {
            String[] parts = version.strip().split("\\.");
            try {
                int major = Integer.parseInt(parts[0]);
                int minor = parts.length > 1 ? Integer.parseInt(parts[1]) : 0;
                return major > CURRENT_MINIMUM_MAJOR || major == CURRENT_MINIMUM_MAJOR && minor >= CURRENT_MINIMUM_MINOR
                        ? CURRENT : PORTABLE;
            } catch (NumberFormatException e) {
                return PORTABLE;
            }
        }
    }

    /**
     * The oldest server given the current dialect: 23.8, the first long-term-support release with everything its tables
     * use (DateTime64 and its millisecond functions, LowCardinality, the DoubleDelta, T64 and ZSTD codecs, TTL with
     * {@code ttl_only_drop_parts}). Tested on 26.7 (chdb); older servers get the portable tables.
     */
    public static final String CURRENT_MINIMUM = "23.8";
    private static final int CURRENT_MINIMUM_MAJOR = 23;
    private static final int CURRENT_MINIMUM_MINOR = 8;

    /** In order, the same names in both dialects. A new migration is added at the end of both, never before another. */
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

    /** One migration: its version, its name, its statement and the statement's checksum (SHA-256, hex). */
    public record Migration(int version, String name, String sql, String checksum) {
    }

    /** The portable dialect's migrations. */
    public static List<Migration> all() {
        return all(Dialect.PORTABLE);
    }

    public static List<Migration> all(Dialect dialect) {
        List<Migration> migrations = new ArrayList<>();
        for (String file : FILES) {
            int separator = file.indexOf("__");
            int version = Integer.parseInt(file.substring(1, separator));
            String name = file.substring(separator + 2, file.length() - ".sql".length());
            String sql = read(dialect, file);
            migrations.add(new Migration(version, name, sql, checksum(sql)));
        }
        return List.copyOf(migrations);
    }

    /** The checksum of a statement: SHA-256 of its text without comments, so that a comment may be reworded. */
    public static String checksum(String sql) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(sql.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String read(Dialect dialect, String file) {
        String path = "/clickhouse/migrations/" + dialect.folder() + "/" + file;
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
