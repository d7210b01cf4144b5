package io.sluice.schemas.mqtt;

/**
 * Why a payload was not accepted. The codes are stable: they are written to the dead-letter
 * topic and to ClickHouse, and users filter on them.
 */
public enum PayloadRejection {
    TOO_LARGE("payload is larger than the configured maximum"),
    NOT_JSON("payload is not valid JSON"),
    NOT_AN_OBJECT("payload is not a JSON object"),
    BAD_TIMESTAMP("ts is neither epoch milliseconds nor an ISO-8601 instant"),
    TIMESTAMP_OUT_OF_RANGE("ts is too far in the past or the future"),
    BAD_SEQUENCE("seq is not a non-negative integer"),
    MISSING_METRICS("metrics is missing or empty"),
    BAD_METRIC_NAME("a metric name is not 1-64 characters of [A-Za-z0-9_.:-]"),
    BAD_METRIC_VALUE("a metric value is not a finite number"),
    TOO_MANY_METRICS("more metrics than the configured maximum"),
    UNKNOWN_FIELD("payload has a field outside the contract"),
    BAD_SENML("a SenML record breaks RFC 8428, or carries a string or data value Sluice does not store"),
    TOPIC_OUTSIDE_LAYOUT("topic is not devices/{deviceId}/telemetry"),
    NOT_AUTHORIZED("the connection may not publish for this device");

    private final String description;

    PayloadRejection(String description) {
        this.description = description;
    }

    public String description() {
        return description;
    }
}
