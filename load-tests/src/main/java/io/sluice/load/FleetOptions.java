package io.sluice.load;

/**
 * What the fleet simulator does.
 *
 * @param host              where MQTT is served (HAProxy in front of the bridges)
 * @param port              its port: MQTT over TCP, or the WebSocket port with {@link Transport#WEBSOCKET}
 * @param devices           how many devices, each its own connection, client id (and credentials)
 * @param profile           the fleet's publish rate over the run
 * @param seconds           how long to publish
 * @param qos               0, 1 or 2
 * @param inFlightPerDevice most unacknowledged publishes per device
 * @param runId             prefix of this run's device ids, so runs can be told apart in ClickHouse
 * @param transport         MQTT over TCP or over WebSocket ({@code /mqtt}, subprotocol {@code mqtt})
 * @param format            the payload: Sluice's JSON object or a SenML pack
 * @param fleetSecret       when set, each device logs in as its id with a password derived from this
 *                          ({@link FleetCredentials}); {@code null}: no credentials
 * @param injections        devices that get an anomaly injected (spike, drift, stuck, silent), written to the ground truth
 * @param pipeline          publishes a device sends back to back when its turn comes (then one flush): fewer
 *                          system calls per message on both sides, as a device sending buffered readings
 */
public record FleetOptions(String host, int port, int devices, RateProfile profile, int seconds, int qos,
                           int inFlightPerDevice, String runId, Transport transport, PayloadFormat format,
                           String fleetSecret, int injections, int pipeline) {

    public enum Transport { TCP, WEBSOCKET }

    public enum PayloadFormat { JSON, SENML }

    public FleetOptions {
        if (devices < 1 || devices > 20_000) {
            throw new IllegalArgumentException("--devices must be 1 to 20000, got " + devices);
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
        if (pipeline < 1 || pipeline > inFlightPerDevice) {
            throw new IllegalArgumentException("--pipeline must be 1 to --in-flight (" + inFlightPerDevice + "), got " + pipeline);
        }
        if (injections < 0 || injections > devices) {
            throw new IllegalArgumentException("--inject must be 0 to the number of devices, got " + injections);
        }
    }

    /** A steady fleet of JSON publishers over TCP without credentials (the tests' fleet). */
    public FleetOptions(String host, int port, int devices, int messagesPerSecond, int seconds, int qos, int inFlightPerDevice,
                        String runId) {
        this(host, port, devices, new RateProfile.Steady(messagesPerSecond), seconds, qos, inFlightPerDevice, runId,
                Transport.TCP, PayloadFormat.JSON, null, 0, 1);
    }

    /**
     * The same fleet as another run (its run id with {@code suffix}) against another endpoint: how the
     * benchmark plays one fleet against each system it compares.
     */
    public FleetOptions elsewhere(String suffix, String host, int port, Transport transport, String fleetSecret, int injections) {
        return new FleetOptions(host, port, devices, profile, seconds, qos, inFlightPerDevice, runId + "-" + suffix, transport,
                format, fleetSecret, injections, pipeline);
    }

    public String deviceId(int index) {
        return runId + "-" + index;
    }
}
