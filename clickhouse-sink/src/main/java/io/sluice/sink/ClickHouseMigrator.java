package io.sluice.sink;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.apache.kafka.common.config.ConfigException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.sluice.clickhouse.ClickHouseEndpoint;
import io.sluice.clickhouse.ClickHouseQueries;
import io.sluice.schemas.clickhouse.ClickHouseMigrations;
import io.sluice.schemas.clickhouse.ClickHouseMigrations.Dialect;
import io.sluice.schemas.clickhouse.ClickHouseMigrations.Migration;

/**
 * Brings a ClickHouse server's schema up to date: runs, in order, each migration of {@link ClickHouseMigrations} not yet
 * recorded in the history table, and records it with its dialect and checksum. The dialect is decided once per database:
 * by the server's version when nothing is recorded yet, else the one recorded (a server upgraded under portable tables
 * keeps them until {@code ./sluice clickhouse upgrade} copies them). A recorded migration whose file has changed since is
 * an error naming it. Every migration is idempotent, so two sinks starting at once may both run one, harmlessly; the
 * history table (a ReplacingMergeTree keyed by dialect and version) keeps one row per version.
 */
public final class ClickHouseMigrator {

    private static final Logger LOG = LoggerFactory.getLogger(ClickHouseMigrator.class);

    /** What a run found and did. */
    public record Result(Dialect dialect, int ran) {
    }

    private ClickHouseMigrator() {
    }

    /** Returns how many migrations it ran. */
    public static int migrate(ClickHouseEndpoint endpoint) throws IOException, InterruptedException {
        return run(new ClickHouseQueries(endpoint)).ran();
    }

    public static Result run(ClickHouseQueries clickHouse) throws IOException, InterruptedException {
        clickHouse.text("CREATE DATABASE IF NOT EXISTS " + ClickHouseMigrations.DATABASE);
        clickHouse.text(ClickHouseMigrations.CREATE_HISTORY_TABLE);
        List<String[]> history = history(clickHouse);
        if (history.isEmpty() && exists(clickHouse, ClickHouseMigrations.LEGACY_HISTORY_TABLE)) {
            adoptLegacyHistory(clickHouse);
            history = history(clickHouse);
        }
        Dialect dialect = dialect(clickHouse, history);
        List<Migration> migrations = ClickHouseMigrations.all(dialect);
        Set<Integer> applied = new HashSet<>();
        for (String[] row : history) {
            int version = Integer.parseInt(row[0]);
            Migration migration = version <= migrations.size() ? migrations.get(version - 1) : null;
            if (migration == null) {
                throw new ConfigException("ClickHouse has migration V" + version + " (" + row[2] + ") recorded, which this"
                        + " Sluice does not know: a newer Sluice set this database up");
            }
            if (!migration.checksum().equals(row[3])) {
                throw new ConfigException(String.format("ClickHouse migration V%03d %s (%s) was edited after it was applied"
                                + " (checksum %s recorded, %s now): restore the file, or put the change in a new migration",
                        version, migration.name(), dialect.folder(), abbreviated(row[3]), abbreviated(migration.checksum())));
            }
            applied.add(version);
        }
        int ran = 0;
        for (Migration migration : migrations) {
            if (!applied.contains(migration.version())) {
                clickHouse.text(migration.sql());
                record(clickHouse, migration, dialect);
                LOG.info("applied ClickHouse migration V{} {} ({})", migration.version(), migration.name(), dialect.folder());
                ran++;
            }
        }
        return new Result(dialect, ran);
    }

    /** Records a migration as applied in {@code dialect}. */
    static void record(ClickHouseQueries clickHouse, Migration migration, Dialect dialect) throws IOException, InterruptedException {
        clickHouse.text("INSERT INTO " + ClickHouseMigrations.HISTORY_TABLE + " (version, dialect, name, checksum) VALUES ("
                + migration.version() + ", " + quoted(dialect.folder()) + ", " + quoted(migration.name()) + ", "
                + quoted(migration.checksum()) + ")");
    }

    /** version, dialect, name, checksum of each recorded migration. */
    private static List<String[]> history(ClickHouseQueries clickHouse) throws IOException, InterruptedException {
        return clickHouse.rows("SELECT version, dialect, name, checksum FROM " + ClickHouseMigrations.HISTORY_TABLE
                + " FINAL ORDER BY version");
    }

    private static Dialect dialect(ClickHouseQueries clickHouse, List<String[]> history) throws IOException, InterruptedException {
        if (history.isEmpty()) {
            String version = clickHouse.text("SELECT version()").strip();
            Dialect dialect = Dialect.forServer(version);
            LOG.info("ClickHouse {}: setting up the {} tables", version, dialect.folder());
            return dialect;
        }
        Set<String> recorded = new HashSet<>();
        history.forEach(row -> recorded.add(row[1]));
        if (recorded.size() != 1) {
            throw new ConfigException("ClickHouse's schema history mixes dialects " + recorded + ": an upgrade was interrupted;"
                    + " run ./sluice clickhouse upgrade again");
        }
        return Dialect.named(recorded.iterator().next());
    }

    /**
     * Sluice before dialects recorded versions only, in schema_migrations: those were the portable tables, and their
     * files have not changed since, so they are recorded again with the portable checksums.
     */
    private static void adoptLegacyHistory(ClickHouseQueries clickHouse) throws IOException, InterruptedException {
        List<Migration> portable = ClickHouseMigrations.all(Dialect.PORTABLE);
        List<Integer> versions = new ArrayList<>();
        for (String[] row : clickHouse.rows("SELECT DISTINCT version FROM " + ClickHouseMigrations.LEGACY_HISTORY_TABLE
                + " ORDER BY version")) {
            versions.add(Integer.parseInt(row[0]));
        }
        for (int version : versions) {
            if (version >= 1 && version <= portable.size()) {
                record(clickHouse, portable.get(version - 1), Dialect.PORTABLE);
            }
        }
        LOG.info("adopted {} migrations recorded by an earlier Sluice as portable tables", versions.size());
    }

    static boolean exists(ClickHouseQueries clickHouse, String table) throws IOException, InterruptedException {
        String[] parts = table.split("\\.");
        return clickHouse.number("SELECT count() FROM system.tables WHERE database = " + quoted(parts[0]) + " AND name = "
                + quoted(parts[1])) > 0;
    }

    private static String abbreviated(String checksum) {
        return checksum.length() <= 12 ? checksum : checksum.substring(0, 12) + "…";
    }

    static String quoted(String text) {
        return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'";
    }
}
