package io.sluice.cli;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * A whole number within bounds, checked as the arguments are parsed, so that {@code ./sluice} refuses a mistake
 * before it starts the stack for a command. Picocli makes converters by class: each bound is a subclass.
 */
abstract class BoundedInt implements ITypeConverter<Integer> {

    private final int min;
    private final int max;
    private final String unit;

    BoundedInt(int min, int max, String unit) {
        this.min = min;
        this.max = max;
        this.unit = unit;
    }

    @Override
    public Integer convert(String value) {
        try {
            int number = Integer.parseInt(value);
            if (number >= min && number <= max) {
                return number;
            }
        } catch (NumberFormatException e) {
            // refused below
        }
        throw new TypeConversionException("must be " + min + " to " + max + " " + unit + ", got '" + value + "'");
    }

    /** 1 to 3600 seconds. */
    static final class Seconds extends BoundedInt {
        Seconds() {
            super(1, 3600, "seconds");
        }
    }

    /** 2 to 1440 minutes. */
    static final class Minutes extends BoundedInt {
        Minutes() {
            super(2, 1440, "minutes");
        }
    }
}
