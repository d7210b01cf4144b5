package io.sluice.sink;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.sluice.clickhouse.ChdbEngine;
import io.sluice.clickhouse.ClickHouseEndpoint;
import io.sluice.clickhouse.ClickHouseQueries;
import io.sluice.testing.ClickHouseTestServer;

/**
 * {@link ClickHouseQueries#read} gives the same typed values on both servers: binary through client-v2 on ClickHouse 26.7
 * (chdb), TabSeparated text unescaped on 18.16 (which has no RowBinaryWithNamesAndTypes).
 */
class TypedReadsIT {

    /** Strings that text formats must escape, integers at their edges, doubles that need every digit. */
    private static final String ROWS = "SELECT * FROM (SELECT 1 AS n, 'tab\\there, line\\nbreak, back\\\\slash, quote\\' and é' AS s,"
            + " toInt64(-9223372036854775807) AS i, toUInt64(1795000000123) AS u, 0.1 + 0.2 AS d"
            + " UNION ALL SELECT 2, '', toInt64(0), toUInt64(0), -1.5e-300) ORDER BY n";
    private static final List<String> EXPECTED = List.of(
            "1|tab\there, line\nbreak, back\\slash, quote' and é|-9223372036854775807|1795000000123|" + (0.1 + 0.2),
            "2||0|0|" + -1.5e-300);

    @Test
    void onClickHouse1816TheRowsComeAsTextUnescaped() throws Exception {
        try (ClickHouseTestServer server = ClickHouseTestServer.start()) {
            ClickHouseQueries clickHouse = new ClickHouseQueries(new ClickHouseEndpoint(server.url(), "default", ""));
            assertEquals(false, clickHouse.typedReads());
            assertReadsEveryValueExactly(clickHouse);
        }
    }

    @Test
    void onACurrentClickHouseTheRowsComeBinaryThroughClientV2(@TempDir Path dir) throws Exception {
        try (ChdbEngine engine = ChdbEngine.start(dir.resolve("chdb"))) {
            ClickHouseQueries clickHouse = new ClickHouseQueries(engine.endpoint());
            assertEquals(true, clickHouse.typedReads());
            assertReadsEveryValueExactly(clickHouse);
        }
    }

    private static void assertReadsEveryValueExactly(ClickHouseQueries clickHouse) throws Exception {
        List<String> read = new ArrayList<>();
        clickHouse.read(ROWS, row -> read.add(row.integer(1) + "|" + row.string(2) + "|" + row.integer(3) + "|" + row.integer(4)
                + "|" + row.real(5)));
        assertEquals(EXPECTED, read);
        long[] seen = new long[2];
        clickHouse.read("SELECT number FROM system.numbers LIMIT 300000", row -> {
            seen[0]++;
            seen[1] += row.integer(1);
        });
        assertEquals(300_000L, seen[0], "every row, one at a time");
        assertEquals(300_000L * 299_999 / 2, seen[1]);
    }
}
