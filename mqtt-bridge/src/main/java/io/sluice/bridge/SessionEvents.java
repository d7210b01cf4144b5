package io.sluice.bridge;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.sluice.schemas.avro.DeviceSession;
import io.sluice.schemas.kafka.Topics;

/**
 * Writes device connections opening, closing and refused to the sessions topic, keyed by device id, through
 * {@link TelemetryIngest#write}: within the bridge's bound of records in flight, so that a flood of refused CONNECTs
 * while Kafka is slow cannot pile events up. Best effort: an event not written is counted and logged, never waited
 * for, so that a slow Kafka never holds up a connection.
 */
final class SessionEvents {

    /** What the bridge knows of a connection when it reports on it. */
    record Device(String deviceId, String clientId, String address, String transport, int protocolVersion,
                  int keepAliveSeconds) {
    }

    private static final Logger LOG = LoggerFactory.getLogger(SessionEvents.class);

    private final TelemetryIngest writer;
    private final String bridgeId;
    private final BridgeMetrics metrics;

    SessionEvents(TelemetryIngest writer, String bridgeId, BridgeMetrics metrics) {
        this.writer = writer;
        this.bridgeId = bridgeId;
        this.metrics = metrics;
    }

    /** A connection opened at {@code atMs}: the event's time, by which its bridge knows it again ({@link ClusterSessions}). */
    void connected(Device device, long atMs) {
        write(device, "CONNECTED", "", 0, atMs);
    }

    void disconnected(Device device, SessionReason reason, long connectedMs) {
        write(device, "DISCONNECTED", reason.name(), connectedMs, System.currentTimeMillis());
    }

    void refused(Device device, SessionReason reason) {
        write(device, "REFUSED", reason.name(), 0, System.currentTimeMillis());
    }

    private void write(Device device, String event, String reason, long connectedMs, long atMs) {
        DeviceSession session = DeviceSession.newBuilder()
                .setDeviceId(device.deviceId())
                .setClientId(device.clientId())
                .setBridgeId(bridgeId)
                .setEvent(event)
                .setReason(reason)
                .setAddress(device.address())
                .setTransport(device.transport())
                .setProtocolVersion(device.protocolVersion())
                .setKeepAliveSeconds(device.keepAliveSeconds())
                .setTsMs(atMs)
                .setConnectedMs(connectedMs)
                .build();
        writer.write(Topics.DEVICE_SESSIONS.record(device.deviceId(), session), device.deviceId()).thenAccept(outcome -> {
            if (outcome instanceof IngestOutcome.NotWritten notWritten) {
                failed(event, device, notWritten.why());
            }
        });
    }

    private void failed(String event, Device device, String why) {
        metrics.sessionEventLost();
        LOG.debug("session event {} of device '{}' not written: {}", event, device.deviceId(), why);
    }
}
