package io.sluice.bridge;

import java.util.concurrent.Executor;

import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.sluice.schemas.avro.DeviceSession;
import io.sluice.schemas.kafka.Topics;

/**
 * Writes device connections opening, closing and refused to the sessions topic, keyed by device id.
 * Best effort: an event Kafka does not take is counted and logged, never waited for, so that a slow
 * Kafka never holds up a connection.
 */
final class SessionEvents {

    /** What the bridge knows of a connection when it reports on it. */
    record Device(String deviceId, String clientId, String address, String transport, int protocolVersion,
                  int keepAliveSeconds) {
    }

    private static final Logger LOG = LoggerFactory.getLogger(SessionEvents.class);

    private final Producer<byte[], byte[]> producer;
    private final String bridgeId;
    private final BridgeMetrics metrics;
    private final Executor sendOn;

    /** @param sendOn where {@code producer.send()} runs: never an event loop, as it can block (see TelemetryIngest) */
    SessionEvents(Producer<byte[], byte[]> producer, String bridgeId, BridgeMetrics metrics, Executor sendOn) {
        this.producer = producer;
        this.sendOn = sendOn;
        this.bridgeId = bridgeId;
        this.metrics = metrics;
    }

    void connected(Device device) {
        write(device, "CONNECTED", "", 0);
    }

    void disconnected(Device device, SessionReason reason, long connectedMs) {
        write(device, "DISCONNECTED", reason.name(), connectedMs);
    }

    void refused(Device device, SessionReason reason) {
        write(device, "REFUSED", reason.name(), 0);
    }

    private void write(Device device, String event, String reason, long connectedMs) {
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
                .setTsMs(System.currentTimeMillis())
                .setConnectedMs(connectedMs)
                .build();
        ProducerRecord<byte[], byte[]> record = Topics.DEVICE_SESSIONS.record(device.deviceId(), session);
        try {
            sendOn.execute(() -> {
                try {
                    producer.send(record, (metadata, error) -> {
                        if (error != null) {
                            failed(event, device, error);
                        }
                    });
                } catch (RuntimeException e) {
                    failed(event, device, e);
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            failed(event, device, e);
        }
    }

    private void failed(String event, Device device, Exception error) {
        metrics.sessionEventLost();
        LOG.debug("session event {} of device '{}' not written: {}", event, device.deviceId(), error.toString());
    }
}
