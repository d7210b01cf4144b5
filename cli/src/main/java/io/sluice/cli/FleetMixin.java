package io.sluice.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;

import io.sluice.bridge.auth.PasswordHash;
import io.sluice.load.FleetOptions;
import io.sluice.load.RateProfile;
import picocli.CommandLine.Option;

/**
 * The simulated fleet's options, shared by {@code load} and {@code bench}. Devices, rate, duration and the loss check's
 * wait default per command (a bench fleet is bigger than a load run's), so they are left unset here when not given.
 */
final class FleetMixin {

    @Option(names = "--mqtt", paramLabel = "HOST:PORT", defaultValue = "127.0.0.1:1883",
            description = "MQTT endpoint: HAProxy in front of the bridges (default: ${DEFAULT-VALUE})")
    String mqtt;

    @Option(names = "--mqtt-ws", paramLabel = "HOST:PORT", defaultValue = "127.0.0.1:8083",
            description = "MQTT over WebSocket endpoint, path /mqtt (default: ${DEFAULT-VALUE})")
    String mqttWs;

    @Option(names = "--transport", paramLabel = "tcp|ws", defaultValue = "tcp", description = "MQTT over TCP or WebSocket (default: ${DEFAULT-VALUE})")
    String transport;

    @Option(names = "--devices", paramLabel = "N", description = "devices, each its own connection and client id (1 to 20000)")
    Integer devices;

    @Option(names = "--rate", paramLabel = "N", description = "messages per second of the whole fleet, 4 readings each")
    Integer rate;

    @Option(names = "--profile", paramLabel = "P", defaultValue = "steady",
            description = "steady (at --rate), steady:R, ramp:FROM:TO (over the run), or burst:BASE:PEAK:AT:RISE:HOLD (seconds)")
    String profile;

    @Option(names = "--seconds", paramLabel = "N", description = "how long to publish")
    Integer seconds;

    @Option(names = "--qos", paramLabel = "0|1|2", defaultValue = "1", description = "MQTT QoS (default: ${DEFAULT-VALUE})")
    int qos;

    @Option(names = "--format", paramLabel = "json|senml", defaultValue = "json",
            description = "payload: Sluice's JSON object or a SenML pack (default: ${DEFAULT-VALUE})")
    String format;

    @Option(names = "--in-flight", paramLabel = "N", defaultValue = "100", description = "most unacknowledged publishes per device (default: ${DEFAULT-VALUE})")
    int inFlight;

    @Option(names = "--pipeline", paramLabel = "N", defaultValue = "8",
            description = "publishes a device sends back to back on its turn, then one flush (default: ${DEFAULT-VALUE})")
    int pipeline;

    @Option(names = "--credentials", paramLabel = "FILE",
            description = "the bridges' credentials file: each device gets its own password for the run, removed after it"
                    + " (default: $SLUICE_HOME/credentials when it exists)")
    Path credentials;

    @Option(names = "--inject", paramLabel = "N", defaultValue = "0",
            description = "inject anomalies into N devices (spike, drift, stuck, silent), matched against sluice.anomalies (default: ${DEFAULT-VALUE})")
    int inject;

    @Option(names = "--report-dir", paramLabel = "DIR", description = "where each run's report goes (default: $SLUICE_HOME/load)")
    Path reportDir;

    @Option(names = "--check-seconds", paramLabel = "N", description = "how long to wait for ClickHouse to hold every acknowledged reading")
    Integer checkSeconds;

    @Option(names = "--run-id", paramLabel = "ID", description = "prefix of this run's device ids (default: sim-<time>)")
    String runId;

    /** The fleet, with the command's defaults for what was not given; a mistake is a {@link UserError}. */
    FleetOptions fleet(int defaultDevices, int defaultRate, int defaultSeconds) {
        int runSeconds = seconds != null ? seconds : defaultSeconds;
        try {
            FleetOptions.Transport transportKind = switch (transport) {
                case "tcp" -> FleetOptions.Transport.TCP;
                case "ws", "websocket" -> FleetOptions.Transport.WEBSOCKET;
                default -> throw new IllegalArgumentException("--transport must be tcp or ws, got " + transport);
            };
            FleetOptions.PayloadFormat payload = switch (format) {
                case "json" -> FleetOptions.PayloadFormat.JSON;
                case "senml" -> FleetOptions.PayloadFormat.SENML;
                default -> throw new IllegalArgumentException("--format must be json or senml, got " + format);
            };
            String address = transportKind == FleetOptions.Transport.TCP ? mqtt : mqttWs;
            String[] hostPort = address.split(":");
            if (hostPort.length != 2) {
                throw new IllegalArgumentException("the MQTT endpoint must be HOST:PORT, got " + address);
            }
            int port;
            try {
                port = Integer.parseInt(hostPort[1]);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("the MQTT endpoint must be HOST:PORT, got " + address);
            }
            RateProfile rateProfile = RateProfile.parse(profile, rate != null ? rate : defaultRate, runSeconds);
            return new FleetOptions(hostPort[0], port, devices != null ? devices : defaultDevices, rateProfile, runSeconds, qos,
                    inFlight, runId != null ? runId : "sim-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")),
                    transportKind, payload, credentialsFile() == null ? null : PasswordHash.newSecret(), inject, pipeline);
        } catch (IllegalArgumentException e) {
            throw new UserError(e.getMessage());
        }
    }

    Path credentialsFile() {
        if (credentials != null) {
            return credentials;
        }
        Path stack = StackOptions.home().resolve("credentials");
        return Files.isRegularFile(stack) ? stack : null;
    }

    Path reportDir() {
        return reportDir != null ? reportDir : StackOptions.home().resolve("load");
    }

    int checkSeconds(int defaultSeconds) {
        int value = checkSeconds != null ? checkSeconds : defaultSeconds;
        if (value < 1) {
            throw new UserError("--check-seconds must be at least 1");
        }
        return value;
    }
}
