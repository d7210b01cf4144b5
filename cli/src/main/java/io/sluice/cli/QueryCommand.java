package io.sluice.cli;

import java.io.IOException;
import java.util.concurrent.Callable;

import io.sluice.clickhouse.ClickHouseException;
import io.sluice.clickhouse.ClickHouseQueries;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code sluice query SQL}: one query on the stack's ClickHouse, printed as a table, tab-separated values or JSON. */
@Command(name = "query", header = "Run a query on the stack's ClickHouse and print the result",
        sortOptions = false, description = "Run a query on the stack's ClickHouse and print the result.",
        footer = {"", "Example: ./sluice query \"SELECT metric, count() FROM sluice.telemetry FINAL GROUP BY metric\""})
final class QueryCommand implements Callable<Integer> {

    enum Format { table, tsv, json }

    @Parameters(paramLabel = "SQL", description = "the query, without a FORMAT clause")
    String sql;

    @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "table",
            description = "table, tsv (with a header line) or json (ClickHouse's JSON: meta, data, rows) (default: ${DEFAULT-VALUE})")
    Format format;

    @Mixin
    StackOptions stack;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        String clickHouseFormat = switch (format) {
            case table -> "PrettyCompactNoEscapes";
            case tsv -> "TabSeparatedWithNames";
            case json -> "JSON";
        };
        spec.commandLine().getOut().print(run(new ClickHouseQueries(stack.clickHouse()), sql, clickHouseFormat));
        spec.commandLine().getOut().flush();
        return 0;
    }

    /** Runs a query in a ClickHouse output format; what ClickHouse refuses is the user's mistake, one line. */
    static String run(ClickHouseQueries clickHouse, String sql, String clickHouseFormat) throws IOException, InterruptedException {
        if (!clickHouse.ping()) {
            throw new IOException("ClickHouse does not answer; start the stack with ./sluice up");
        }
        try {
            return clickHouse.text(sql.strip().replaceAll(";$", "") + " FORMAT " + clickHouseFormat);
        } catch (ClickHouseException e) {
            throw new UserError("ClickHouse refused the query: " + e.getMessage().replaceFirst("^ClickHouse answered HTTP \\d+: ", ""));
        }
    }
}
