package io.sluice.processor.anomaly;

/** A rules file that cannot be used, with the one line that says where and why. */
public final class RulesException extends Exception {

    private static final long serialVersionUID = 1L;

    public RulesException(String message) {
        super(message);
    }
}
