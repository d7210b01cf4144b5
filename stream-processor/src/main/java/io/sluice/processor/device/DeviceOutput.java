package io.sluice.processor.device;

import io.sluice.schemas.avro.Anomaly;
import io.sluice.schemas.avro.DeadLetter;
import io.sluice.schemas.avro.TelemetryRollup;

/** What the processing of a device's events derives: a closed window, an anomaly, or an event refused over a bound. */
public sealed interface DeviceOutput {

    record Rollup(TelemetryRollup value) implements DeviceOutput {
    }

    record Alert(Anomaly value) implements DeviceOutput {
    }

    record Refused(DeadLetter value) implements DeviceOutput {
    }
}
