package io.sluice.sink;

import java.io.IOException;
import java.net.ConnectException;
import java.net.http.HttpTimeoutException;
import java.util.Set;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.clickhouse.client.api.ServerException;

/**
 * Where every failed insert is classified, and nowhere else: either the failure is ClickHouse's or the
 * network's and the same rows will go in later (retried with backoff, partitions paused), or the rows
 * themselves are refused (poison: isolated and dead-lettered, the rest written).
 *
 * <p>Poison is recognized only by ClickHouse error codes that speak about the data; anything else,
 * including an unknown failure, is retried: a sink that stalls and reports itself unhealthy can be
 * fixed, a sink that dropped rows it did not understand cannot.
 */
final class InsertFailures {

    /** What to do about a failure. */
    enum Kind { RETRIABLE, POISON }

    /** A classified failure: its kind and a short reason for logs and dead letters. */
    record Classified(Kind kind, String reason) {
    }

    private static final Pattern CODE = Pattern.compile("Code: (\\d+)");

    /**
     * ClickHouse error codes that mean "these rows cannot be stored": 6 CANNOT_PARSE_TEXT, 26/27 parse
     * failures, 38/41 bad date or time, 53 TYPE_MISMATCH, 69 ARGUMENT_OUT_OF_BOUND, 70 CANNOT_CONVERT_TYPE,
     * 72 CANNOT_PARSE_NUMBER, 117 INCORRECT_DATA, 131 TOO_LARGE_STRING_SIZE, 321
     * VALUE_IS_OUT_OF_RANGE_OF_DATA_TYPE.
     */
    private static final Set<Integer> POISON_CODES = Set.of(6, 26, 27, 38, 41, 53, 69, 70, 72, 117, 131, 321);

    private InsertFailures() {
    }

    static Classified classify(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof ServerException server && server.getCode() > 0) {
                return byCode(server.getCode());
            }
            String message = String.valueOf(cause.getMessage());
            Matcher code = CODE.matcher(message);
            if (code.find()) {
                return byCode(Integer.parseInt(code.group(1)));
            }
            if (cause instanceof ConnectException) {
                return new Classified(Kind.RETRIABLE, "CONNECTION_REFUSED");
            }
            if (cause instanceof HttpTimeoutException || cause instanceof TimeoutException
                    || cause instanceof java.net.SocketTimeoutException) {
                return new Classified(Kind.RETRIABLE, "TIMEOUT");
            }
            if (cause instanceof IOException) {
                return new Classified(Kind.RETRIABLE, "IO_ERROR");
            }
        }
        return new Classified(Kind.RETRIABLE, "UNKNOWN");
    }

    private static Classified byCode(int code) {
        return new Classified(POISON_CODES.contains(code) ? Kind.POISON : Kind.RETRIABLE, "CLICKHOUSE_CODE_" + code);
    }

    /** The first line of a failure's message, cut to 300 characters, for a dead letter's detail. */
    static String detail(Throwable failure) {
        String message = String.valueOf(failure.getMessage());
        int newline = message.indexOf('\n');
        String line = newline < 0 ? message : message.substring(0, newline);
        return line.length() <= 300 ? line : line.substring(0, 300) + "...";
    }
}
