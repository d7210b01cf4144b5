package io.sluice.schemas.mqtt;

/** A payload that breaks the contract; carries the stable reason and a short detail. */
public final class InvalidPayloadException extends Exception {

    private static final long serialVersionUID = 1L;

    private final PayloadRejection reason;

    public InvalidPayloadException(PayloadRejection reason, String detail) {
        super(detail, null, false, false);
        this.reason = reason;
    }

    public PayloadRejection reason() {
        return reason;
    }

    public String detail() {
        return getMessage();
    }
}
