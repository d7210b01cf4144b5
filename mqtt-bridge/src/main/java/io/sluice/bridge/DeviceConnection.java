package io.sluice.bridge;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.vertx.core.Context;
import io.vertx.mqtt.MqttEndpoint;
import io.vertx.mqtt.messages.MqttPublishMessage;
import io.vertx.mqtt.messages.codes.MqttDisconnectReasonCode;
import io.vertx.mqtt.messages.codes.MqttPubRecReasonCode;

/**
 * One open device connection: its publishes handed to {@link TelemetryIngest}, their acknowledgements sent in the order
 * the publishes arrived ({@link OrderedAcks}) once Kafka took them, QoS 2's exactly-once exchange, and the bounds that
 * stop reading it (its bytes in flight, the bridge's, MQTT 3.1.1's receive maximum, its publish rate). Everything here
 * runs on the connection's own event loop ({@link #context}).
 */
final class DeviceConnection {

    private static final Logger LOG = LoggerFactory.getLogger(DeviceConnection.class);

    /** What a connection shares with the rest of the bridge. */
    record Bridge(MqttEdge.Limits limits, TelemetryIngest ingest, BridgeMetrics metrics, SessionEvents sessions,
                  ConnectionRegistry registry) {
    }

    private final Bridge bridge;
    private final MqttEdge.Limits limits;
    private final BridgeMetrics metrics;

    private final MqttEndpoint endpoint;
    private final Context context;
    private final SessionEvents.Device device;
    private final Admission.Decision identity;
    /** The device this connection may publish for: null when anonymous (any device). */
    private final String deviceId;
    private final boolean mqtt5;
    /** Silence after which the bridge closes the connection itself (0: vertx-mqtt enforces the device's keep-alive). */
    private final long silenceLimitNanos;
    private final String host;
    private final long connectedAtMs = System.currentTimeMillis();
    private final OrderedAcks<Runnable> acks = new OrderedAcks<>();
    private final RateLimits publishes;
    /** QoS 2 packet ids being written, and those answered with PUBREC and waiting for PUBREL. */
    private final Set<Integer> qos2Writing = new HashSet<>();
    private final Set<Integer> qos2Received = new HashSet<>();
    private long bytesInFlight;
    private int unacknowledged;
    private long readAgainAtNanos;
    private volatile boolean reading = true;
    private boolean timerSet;
    private volatile long lastPacketNanos = System.nanoTime();
    private volatile SessionReason closeReason;
    /** Whether this connection's announcement has been read back from the sessions topic ({@link ClusterSessions}). */
    private volatile boolean announcedInCluster;

    DeviceConnection(Bridge bridge, MqttEndpoint endpoint, Context context, SessionEvents.Device device,
                     Admission.Decision identity, boolean mqtt5, int enforcedKeepAliveSeconds) {
        this.bridge = bridge;
        this.limits = bridge.limits();
        this.metrics = bridge.metrics();
        this.endpoint = endpoint;
        this.context = context;
        this.device = device;
        this.identity = identity;
        this.deviceId = identity.deviceId();
        this.mqtt5 = mqtt5;
        this.silenceLimitNanos = TimeUnit.SECONDS.toNanos(enforcedKeepAliveSeconds) * 3 / 2;
        this.host = endpoint.remoteAddress() == null ? "" : endpoint.remoteAddress().hostAddress();
        this.publishes = new RateLimits(limits.publishRatePerDevice(), limits.publishBurstPerDevice());
    }

    MqttEndpoint endpoint() {
        return endpoint;
    }

    String clientId() {
        return device.clientId();
    }

    boolean reading() {
        return reading;
    }

    Admission.Decision identity() {
        return identity;
    }

    /** Whether the bridge holds this connection to a keep-alive and it has been silent past it. */
    boolean silentTooLong(long nowNanos) {
        return silenceLimitNanos > 0 && nowNanos - lastPacketNanos > silenceLimitNanos && endpoint.isConnected();
    }

    /** Runs on this connection's event loop. */
    void onContext(Runnable action) {
        context.runOnContext(ignored -> action.run());
    }

    /** Any packet from the device (a PING included) shows it is alive. */
    void heardFrom() {
        lastPacketNanos = System.nanoTime();
    }

    void closeReason(SessionReason reason) {
        if (closeReason == null) {
            closeReason = reason;
        }
    }

    void onPublish(MqttPublishMessage message) {
        long receivedNanos = System.nanoTime();
        lastPacketNanos = receivedNanos;
        MqttQoS qos = message.qosLevel();
        int messageId = message.messageId();
        metrics.published(qos);
        if (qos == MqttQoS.EXACTLY_ONCE) {
            if (qos2Received.contains(messageId)) {
                // PUBREC was lost; the device resends. Written already: answer again, write nothing.
                if (endpoint.isConnected()) {
                    endpoint.publishReceived(messageId);
                }
                return;
            }
            if (!qos2Writing.add(messageId)) {
                return; // the first copy is still being written; its PUBREC answers both
            }
        }
        if (qos != MqttQoS.AT_MOST_ONCE) {
            unacknowledged++;
            if (mqtt5 && unacknowledged + qos2Received.size() > limits.receiveMaximum()) {
                close(SessionReason.RECEIVE_MAXIMUM_EXCEEDED, MqttDisconnectReasonCode.RECEIVE_MAXIMUM_EXCEEDED);
                return;
            }
        }
        // MQTT 5 user properties travel as Kafka headers: they are held as long as the payload, and count with it.
        List<Header> headers = mqtt5 ? headersOf(message) : List.of();
        int bytes = message.payload().length() + headerBytes(headers);
        metrics.received(bytes);
        if (qos == MqttQoS.AT_MOST_ONCE && bridge.registry().overBridgeBound()) {
            metrics.shed();
            return;
        }
        bytesInFlight += bytes;
        bridge.registry().inFlightBytes().addAndGet(bytes);
        long wait = Math.max(publishes.take("", receivedNanos), limits.publishesPerAddress().take(host, receivedNanos));
        if (wait > 0) {
            metrics.rateLimited("publish");
            readAgainAtNanos = Math.max(readAgainAtNanos, receivedNanos + wait);
        }
        updateReading();
        OrderedAcks.Slot<Runnable> slot = acks.enqueue();
        bridge.ingest().ingest(message.topicName(), message.payload().getBytes(), System.currentTimeMillis(), deviceId, headers)
                .thenAccept(outcome -> context.runOnContext(ignored -> {
                    bytesInFlight -= bytes;
                    bridge.registry().inFlightBytes().addAndGet(-bytes);
                    Runnable answer = () -> answer(messageId, qos, outcome, receivedNanos);
                    acks.complete(slot, answer).forEach(Runnable::run);
                    updateReading();
                    bridge.registry().wakePausedForBridge();
                }));
    }

    void onRelease(int messageId) {
        lastPacketNanos = System.nanoTime();
        qos2Received.remove(messageId);
        endpoint.publishComplete(messageId);
        updateReading();
    }

    private void answer(int messageId, MqttQoS qos, IngestOutcome outcome, long receivedNanos) {
        if (qos != MqttQoS.AT_MOST_ONCE) {
            unacknowledged--;
        }
        if (qos == MqttQoS.EXACTLY_ONCE) {
            qos2Writing.remove(messageId);
        }
        if (outcome instanceof IngestOutcome.Accepted accepted) {
            metrics.accepted(accepted.readings());
        } else if (outcome instanceof IngestOutcome.DeadLettered rejected) {
            metrics.deadLettered(rejected.reason(), 1);
        } else if (qos == MqttQoS.AT_MOST_ONCE) {
            metrics.shed();
        } else {
            metrics.notWritten();
        }
        if (qos == MqttQoS.AT_MOST_ONCE || !endpoint.isConnected()) {
            return;
        }
        if (outcome instanceof IngestOutcome.NotWritten notWritten && !mqtt5) {
            LOG.warn("disconnecting client '{}': publish {} could not be written ({}); it will be resent after reconnecting",
                    device.clientId(), messageId, notWritten.why());
            close(SessionReason.NOT_WRITTEN, null);
            return;
        }
        if (qos == MqttQoS.AT_LEAST_ONCE) {
            if (mqtt5) {
                endpoint.publishAcknowledge(messageId, ReasonCodes.pubAck(outcome), MqttProperties.NO_PROPERTIES);
            } else {
                endpoint.publishAcknowledge(messageId);
            }
        } else {
            if (!(outcome instanceof IngestOutcome.NotWritten)) {
                qos2Received.add(messageId);
            }
            if (mqtt5) {
                endpoint.publishReceived(messageId, MqttPubRecReasonCode.valueOf(ReasonCodes.pubAck(outcome).value()),
                        MqttProperties.NO_PROPERTIES);
            } else {
                endpoint.publishReceived(messageId);
            }
        }
        metrics.acknowledged(System.nanoTime() - receivedNanos);
    }

    /** Reads the connection only while it is within all its bounds. */
    void updateReading() {
        long now = System.nanoTime();
        boolean overBridge = bridge.registry().overBridgeBound();
        boolean rateWait = now < readAgainAtNanos;
        boolean read = bridge.registry().reading() && !overBridge && !rateWait
                && bytesInFlight < limits.maxInFlightBytesPerConnection()
                && (mqtt5 || unacknowledged + qos2Received.size() < limits.receiveMaximum());
        if (overBridge) {
            bridge.registry().pausedForBridge(this);
        }
        if (rateWait && !timerSet) {
            timerSet = true;
            long delayMs = Math.max(1, TimeUnit.NANOSECONDS.toMillis(readAgainAtNanos - now));
            context.owner().setTimer(delayMs, id -> {
                timerSet = false;
                updateReading();
            });
        }
        if (read != reading && endpoint.isConnected()) {
            reading = read;
            ConnectionReads.reading(endpoint, read);
        }
    }

    /** When the connection opened: also the time of its announcement in the sessions topic, which names it there. */
    long connectedAtMs() {
        return connectedAtMs;
    }

    void announcedInCluster() {
        announcedInCluster = true;
    }

    boolean isAnnouncedInCluster() {
        return announcedInCluster;
    }

    void takenOver() {
        context.runOnContext(ignored -> close(SessionReason.TAKEOVER, MqttDisconnectReasonCode.SESSION_TAKEN_OVER));
    }

    /** Closes the connection, MQTT 5 devices first told why (when a code is given). */
    void close(SessionReason reason, MqttDisconnectReasonCode code) {
        closeReason(reason);
        if (endpoint.isConnected() && mqtt5 && code != null) {
            endpoint.disconnect(code, MqttProperties.NO_PROPERTIES);
        }
        if (endpoint.isConnected()) {
            endpoint.close();
        }
    }

    void onClosed() {
        bridge.registry().remove(this);
        SessionReason reason = closeReason;
        if (reason == null) {
            int keepAlive = device.keepAliveSeconds();
            long silentMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - lastPacketNanos);
            reason = keepAlive > 0 && silentMs >= keepAlive * 1000L * 3 / 2 - 250 ? SessionReason.KEEP_ALIVE_TIMEOUT
                    : SessionReason.CONNECTION_LOST;
        }
        metrics.disconnected(reason);
        bridge.sessions().disconnected(device, reason, System.currentTimeMillis() - connectedAtMs);
        LOG.debug("client '{}' from {} disconnected: {}", device.clientId(), device.address(), reason);
    }

    private static int headerBytes(List<Header> headers) {
        int bytes = 0;
        for (Header header : headers) {
            bytes += header.key().length() + header.value().length;
        }
        return bytes;
    }

    /** MQTT 5 user properties as Kafka headers {@code mqtt.user.<name>}, the content type as {@code mqtt.content-type}. */
    private static List<Header> headersOf(MqttPublishMessage message) {
        MqttProperties properties = message.properties();
        if (properties == null) {
            return List.of();
        }
        List<Header> headers = new ArrayList<>();
        MqttProperties.MqttProperty<?> user = properties.getProperty(MqttProperties.MqttPropertyType.USER_PROPERTY.value());
        if (user instanceof MqttProperties.UserProperties pairs) {
            for (MqttProperties.StringPair pair : pairs.value()) {
                headers.add(new RecordHeader("mqtt.user." + pair.key, pair.value.getBytes(StandardCharsets.UTF_8)));
            }
        }
        MqttProperties.MqttProperty<?> contentType = properties.getProperty(MqttProperties.MqttPropertyType.CONTENT_TYPE.value());
        if (contentType != null && contentType.value() instanceof String type) {
            headers.add(new RecordHeader("mqtt.content-type", type.getBytes(StandardCharsets.UTF_8)));
        }
        return headers;
    }
}
