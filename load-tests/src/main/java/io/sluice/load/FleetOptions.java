package io.sluice.load;

/**
 * What the fleet simulator does.
 *
 * @param host             where MQTT is served (HAProxy in front of the bridges)
 * @param port             its port
 * @param devices          how many devices, each its own connection and client id
 * @param messagesPerSecond total publish rate of the fleet
 * @param seconds          how long to publish
 * @param qos              0, 1 or 2
 * @param inFlightPerDevice most unacknowledged publishes per device
 * @param runId            prefix of this run's device ids, so runs can be told apart in ClickHouse
 */
public record FleetOptions(String host, int port, int devices, int messagesPerSecond, int seconds, int qos,
                           int inFlightPerDevice, String runId) {

    public FleetOptions {
        if (devices < 1 || devices > 20_000) {
            throw new IllegalArgumentException("--devices must be 1 to 20000, got " + devices);
        }
        if (messagesPerSecond < 1 || messagesPerSecond > 1_000_000) {
            throw new IllegalArgumentException("--rate must be 1 to 1000000 messages/s, got " + messagesPerSecond);
        }
        if (seconds < 1 || seconds > 3600) {
            throw new IllegalArgumentException("--seconds must be 1 to 3600, got " + seconds);
        }
        if (qos < 0 || qos > 2) {
            throw new IllegalArgumentException("--qos must be 0, 1 or 2, got " + qos);
        }
        if (inFlightPerDevice < 1 || inFlightPerDevice > 65_000) {
            throw new IllegalArgumentException("--in-flight must be 1 to 65000, got " + inFlightPerDevice);
        }
        if (!runId.matches("[A-Za-z0-9-]{1,40}")) {
            throw new IllegalArgumentException("--run-id must be 1 to 40 letters, digits or dashes, got " + runId);
        }
    }

    public String deviceId(int index) {
        return runId + "-" + index;
    }
}
