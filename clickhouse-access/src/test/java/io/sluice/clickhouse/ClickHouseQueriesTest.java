package io.sluice.clickhouse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ClickHouseQueriesTest {

    @Test
    void tabSeparatedFieldsAreUnescapedAsClickHouseEscapesThem() {
        String plain = "sensor-17";
        assertSame(plain, ClickHouseQueries.unescape(plain), "nothing to do without a backslash");
        assertEquals("a\tb\nc\\d'e\rf\0g\bh\fi", ClickHouseQueries.unescape("a\\tb\\nc\\\\d\\'e\\rf\\0g\\bh\\fi"));
        assertEquals("ends with \\", ClickHouseQueries.unescape("ends with \\"), "a lone trailing backslash stays");
        assertEquals("é\\", ClickHouseQueries.unescape("é\\\\"));
    }

    @Test
    void typedReadsNeedTheCurrentDialectsMinimum() {
        int[] minimum = ClickHouseQueries.TYPED_READS_MINIMUM;
        assertFalse(ClickHouseQueries.atLeast("18.16.1", minimum));
        assertFalse(ClickHouseQueries.atLeast("23.7.6.111", minimum));
        assertTrue(ClickHouseQueries.atLeast("23.8.1.2992", minimum));
        assertTrue(ClickHouseQueries.atLeast("24.1", minimum));
        assertTrue(ClickHouseQueries.atLeast("26.7.1.1", minimum));
        assertFalse(ClickHouseQueries.atLeast("unknown", minimum), "a version it cannot read gets the portable text");
    }
}
