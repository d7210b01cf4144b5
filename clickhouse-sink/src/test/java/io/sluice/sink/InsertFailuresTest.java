package io.sluice.sink;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.ConnectException;
import java.sql.SQLException;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class InsertFailuresTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "Code: 27. DB::Exception: Cannot parse input: expected '\\t' before: 'x'     | POISON    | CLICKHOUSE_CODE_27",
            "Code: 53. DB::Exception: Type mismatch in VALUES section                    | POISON    | CLICKHOUSE_CODE_53",
            "Code: 252. DB::Exception: Too many parts (300). Merges are slower than inserts | RETRIABLE | CLICKHOUSE_CODE_252",
            "Code: 241. DB::Exception: Memory limit (total) exceeded                     | RETRIABLE | CLICKHOUSE_CODE_241",
            "Code: 60. DB::Exception: Table sluice.telemetry doesn't exist               | RETRIABLE | CLICKHOUSE_CODE_60",
            "something nobody has seen before                                            | RETRIABLE | UNKNOWN",
    })
    void clickHouseCodesDecide(String message, InsertFailures.Kind kind, String reason) {
        InsertFailures.Classified classified = InsertFailures.classify(new SQLException("Query failed", new SQLException(message.strip())));
        assertEquals(kind, classified.kind());
        assertEquals(reason, classified.reason());
    }

    @Test
    void networkFailuresAreRetried() {
        assertEquals(new InsertFailures.Classified(InsertFailures.Kind.RETRIABLE, "CONNECTION_REFUSED"),
                InsertFailures.classify(new SQLException("failed", new ConnectException("Connection refused"))));
        assertEquals(InsertFailures.Kind.RETRIABLE,
                InsertFailures.classify(new SQLException("failed", new java.net.SocketTimeoutException("Read timed out"))).kind());
    }
}
