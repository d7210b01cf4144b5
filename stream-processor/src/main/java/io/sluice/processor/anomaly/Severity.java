package io.sluice.processor.anomaly;

/** How urgent an anomaly is, set per detector in the rules file. */
public enum Severity {
    INFO, WARNING, CRITICAL
}
