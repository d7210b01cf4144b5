package io.sluice.clickhouse;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** An error ClickHouse answered with, carrying its numeric error code when it gave one. */
public final class ClickHouseException extends java.io.IOException {

    private static final long serialVersionUID = 1L;
    private static final Pattern CODE = Pattern.compile("Code: (\\d+)");

    private final int httpStatus;
    private final int code;

    public ClickHouseException(int httpStatus, String body) {
        super("ClickHouse answered HTTP " + httpStatus + ": " + firstLine(body));
        this.httpStatus = httpStatus;
        Matcher matcher = CODE.matcher(body);
        this.code = matcher.find() ? Integer.parseInt(matcher.group(1)) : -1;
    }

    public int httpStatus() {
        return httpStatus;
    }

    /** ClickHouse's error code, or -1 when the answer had none. */
    public int code() {
        return code;
    }

    private static String firstLine(String body) {
        String line = body.strip();
        int newline = line.indexOf('\n');
        line = newline < 0 ? line : line.substring(0, newline);
        return line.length() <= 300 ? line : line.substring(0, 300) + "...";
    }
}
