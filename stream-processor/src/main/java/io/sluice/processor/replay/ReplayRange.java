package io.sluice.processor.replay;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The time range of a replay, parsed from what a person types. */
public record ReplayRange(Instant from, Instant to) {

    private static final Pattern RELATIVE = Pattern.compile("-(\\d+)([smhd])");

    public ReplayRange {
        if (!from.isBefore(to)) {
            throw new IllegalArgumentException("--from (" + from + ") must be before --to (" + to + ")");
        }
    }

    /**
     * An instant: ISO-8601 with an offset ({@code 2026-11-22T10:00:00Z}, {@code ...+01:00}), a local date
     * and time or a date (taken as UTC), or relative to now ({@code -30m}, {@code -2h}, {@code -1d}).
     */
    public static Instant parseInstant(String text, Instant now) {
        Matcher relative = RELATIVE.matcher(text);
        if (relative.matches()) {
            long amount = Long.parseLong(relative.group(1));
            Duration unit = switch (relative.group(2)) {
                case "s" -> Duration.ofSeconds(1);
                case "m" -> Duration.ofMinutes(1);
                case "h" -> Duration.ofHours(1);
                default -> Duration.ofDays(1);
            };
            return now.minus(unit.multipliedBy(amount));
        }
        try {
            return OffsetDateTime.parse(text).toInstant();
        } catch (DateTimeParseException e) {
            // try the next form
        }
        try {
            return LocalDateTime.parse(text.replace(' ', 'T')).toInstant(ZoneOffset.UTC);
        } catch (DateTimeParseException e) {
            // try the next form
        }
        try {
            return LocalDate.parse(text).atStartOfDay(ZoneOffset.UTC).toInstant();
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("'" + text + "' is not a time: use ISO-8601 (2026-11-22T10:00:00Z), a UTC date and"
                    + " time (2026-11-22T10:00), a date, or a time before now (-30m, -2h, -1d)");
        }
    }
}
