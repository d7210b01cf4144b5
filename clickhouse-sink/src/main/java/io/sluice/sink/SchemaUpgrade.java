package io.sluice.sink;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import org.apache.kafka.common.config.ConfigException;

import io.sluice.clickhouse.ClickHouseQueries;
import io.sluice.schemas.clickhouse.ClickHouseMigrations;
import io.sluice.schemas.clickhouse.ClickHouseMigrations.Dialect;
import io.sluice.schemas.clickhouse.ClickHouseMigrations.Migration;

/**
 * The upgrade path from the portable tables to the current ones, on a server that has become current (23.8 or later):
 * each table is created anew in the current dialect beside the old one, every row copied as {@code FINAL} reads it (one
 * per natural key; the column names are the same), the counts compared, and the two swapped by one {@code RENAME}; the
 * old table stays as {@code <table>__portable} until its owner drops it. The history is rewritten as current last. The
 * new tables have no TTL until a sink starts and sets each one's from its {@code retention.days.*} (as it does at every
 * start): the migrations' default days would drop what a portable sink configured to keep longer had kept. Run with the
 * sinks stopped (Kafka holds what arrives meanwhile); run again after an interruption: a table already swapped is skipped.
 */
public final class SchemaUpgrade {

    /** What was copied: each table and its rows (in FINAL: one per natural key). */
    public record Copied(String table, long rows) {
    }

    /**
     * How long a table's copy, or its count in FINAL, may take: months of readings take minutes, past the minute other
     * statements are given (after which the client would give up while the server went on copying).
     */
    private static final Duration COPY_TIMEOUT = Duration.ofHours(12);

    private SchemaUpgrade() {
    }

    public static List<Copied> toCurrent(ClickHouseQueries clickHouse, Consumer<String> progress) throws IOException, InterruptedException {
        String version = clickHouse.text("SELECT version()").strip();
        if (Dialect.forServer(version) != Dialect.CURRENT) {
            throw new ConfigException("ClickHouse " + version + " is older than " + ClickHouseMigrations.CURRENT_MINIMUM
                    + ": the current tables need it; the portable ones stay");
        }
        List<String[]> dialects = clickHouse.rows("SELECT DISTINCT dialect FROM " + ClickHouseMigrations.HISTORY_TABLE + " FINAL");
        if (dialects.size() == 1 && dialects.get(0)[0].equals(Dialect.CURRENT.folder())) {
            progress.accept("the tables are current already; nothing to do");
            return List.of();
        }
        List<Copied> copied = new ArrayList<>();
        List<Migration> current = ClickHouseMigrations.all(Dialect.CURRENT);
        for (Migration migration : current) {
            if (!migration.sql().startsWith("CREATE TABLE IF NOT EXISTS " + ClickHouseMigrations.DATABASE + ".")) {
                continue;
            }
            String table = ClickHouseMigrations.DATABASE + "." + migration.name();
            if (ClickHouseMigrator.exists(clickHouse, table + "__portable")) {
                progress.accept(table + " was upgraded already");
                continue;
            }
            String fresh = table + "__current";
            clickHouse.text("DROP TABLE IF EXISTS " + fresh);
            clickHouse.text(migration.sql().replace("CREATE TABLE IF NOT EXISTS " + table + "\n", "CREATE TABLE " + fresh + "\n"));
            // Without its TTL until a sink sets the configured retention: the migration's default days would drop the
            // rows a portable sink kept for longer (retention.days.* over the default, or 0), some during the copy itself.
            clickHouse.text("ALTER TABLE " + fresh + " REMOVE TTL");
            String columns = String.join(", ", storedColumns(clickHouse, fresh));
            // The rows as FINAL reads them, one per natural key: copied raw, the duplicates (retransmissions, replays)
            // would collapse in each block the new table is given, in the order the old parts happened to be read, and
            // where a table has no version column (anomalies, sessions, refusals) another duplicate than FINAL's could stay.
            clickHouse.text("INSERT INTO " + fresh + " (" + columns + ") SELECT " + columns + " FROM " + table + " FINAL",
                    COPY_TIMEOUT);
            long before = Long.parseLong(clickHouse.text("SELECT count() FROM " + table + " FINAL", COPY_TIMEOUT).strip());
            long after = Long.parseLong(clickHouse.text("SELECT count() FROM " + fresh + " FINAL", COPY_TIMEOUT).strip());
            if (before != after) {
                throw new IllegalStateException(table + ": " + before + " rows, but " + after + " copied; was a sink still"
                        + " writing? " + fresh + " is left for inspection, " + table + " is unchanged");
            }
            clickHouse.text("RENAME TABLE " + table + " TO " + table + "__portable, " + fresh + " TO " + table);
            progress.accept(String.format("%s: %,d rows copied into the current table; the old one is %s__portable", table,
                    after, table));
            copied.add(new Copied(migration.name(), after));
        }
        // Emptied then written again: should this stop in between, the next sink finds no history on a current server
        // and records the current migrations itself (each one's CREATE ... IF NOT EXISTS finds its table).
        clickHouse.text("TRUNCATE TABLE " + ClickHouseMigrations.HISTORY_TABLE);
        for (Migration migration : current) {
            ClickHouseMigrator.record(clickHouse, migration, Dialect.CURRENT);
        }
        progress.accept("the history records the current tables; drop the __portable ones once you have checked them");
        return copied;
    }

    /** The columns a table stores and takes in an insert: not its ALIAS or MATERIALIZED ones. */
    private static List<String> storedColumns(ClickHouseQueries clickHouse, String table) throws IOException, InterruptedException {
        String[] parts = table.split("\\.");
        List<String> columns = new ArrayList<>();
        for (String[] row : clickHouse.rows("SELECT name FROM system.columns WHERE database = " + ClickHouseMigrator.quoted(parts[0])
                + " AND table = " + ClickHouseMigrator.quoted(parts[1]) + " AND default_kind NOT IN ('ALIAS', 'MATERIALIZED')"
                + " ORDER BY position")) {
            columns.add(row[0]);
        }
        return columns;
    }
}
