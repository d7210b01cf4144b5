package io.sluice.bridge;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.mqtt.MqttEndpoint;
import io.vertx.mqtt.messages.codes.MqttDisconnectReasonCode;
import io.sluice.schemas.mqtt.MqttTopics;

/**
 * The MQTT side of a bridge: one instance handles every device connection. Publishes are handed to
 * {@link TelemetryIngest}, and the device's acknowledgement (PUBACK for QoS 1, PUBREC for QoS 2) is
 * sent only when the ingest reports Kafka's acknowledgement.
 *
 * <p>A CONNECT is decided by {@link Admission} (drain, address rules, limits, rates, then the device's identity);
 * an admitted one becomes a {@link DeviceConnection} in the {@link ConnectionRegistry}. A second connection with
 * the same client id takes over: the older one is closed (MQTT 5: DISCONNECT 0x8E). Every outcome is a session
 * event, and what the device is told is in {@link ReasonCodes}.
 *
 * <p>Acknowledgements leave in the order the publishes arrived on the connection ({@link OrderedAcks}),
 * whatever order Kafka acknowledges them in. What the device sees:
 * <ul>
 *   <li>accepted: PUBACK / PUBREC with success;</li>
 *   <li>rejected payload: dead-lettered with its reason; MQTT 5 devices get 0x99 (payload format
 *       invalid), 0x90 (topic name invalid) for a topic outside the layout, 0x87 (not authorized) for a
 *       device publishing for another; MQTT 3.1.1 has no negative acknowledgement, so 3.1.1 devices get a
 *       plain PUBACK once the dead-letter record is durable (retrying would not help them);</li>
 *   <li>not written (Kafka unavailable, bridge overloaded): MQTT 5 devices get 0x80 (unspecified
 *       error); MQTT 3.1.1 devices are disconnected so that they resend the unacknowledged publish
 *       after reconnecting. QoS 0 publishes are shed and counted.</li>
 * </ul>
 * A QoS 2 publish is written once: a retransmit of a packet id already answered with PUBREC is
 * answered again without a second write, and the ids awaiting PUBREL are bounded by the receive maximum.
 *
 * <p>Back-pressure: a connection is not read while its payload bytes waiting for Kafka are over their
 * bound, while the bridge's are over theirs, while an MQTT 3.1.1 connection has receive-maximum
 * publishes unacknowledged, or while it is over its publish rate ({@link ConnectionReads}).
 *
 * <p>Devices cannot subscribe: Sluice takes telemetry in, it does not route messages; SUBSCRIBE is
 * answered with the failure code.
 */
final class MqttEdge implements Handler<MqttEndpoint> {

    /** The limits the edge enforces, from the bridge's configuration. */
    record Limits(int maxConnections, int receiveMaximum, long maxInFlightBytes, long maxInFlightBytesPerConnection,
                  RateLimits connectsPerAddress, RateLimits connectsPerDevice, double publishRatePerDevice,
                  int publishBurstPerDevice, RateLimits publishesPerAddress, AddressRules addresses, int maxPacketBytes,
                  int keepAliveMaxSeconds) {
    }

    private static final Logger LOG = LoggerFactory.getLogger(MqttEdge.class);
    private static final int MQTT_5 = 5;

    private final Limits limits;
    private final BridgeMetrics metrics;
    private final SessionEvents sessions;
    private final Admission admission;
    private final ConnectionRegistry registry;
    private final DeviceConnection.Bridge bridge;
    private final OpenSockets sockets;
    private final Vertx vertx;
    private final long keepAliveSweep;
    private volatile boolean accepting = true;

    MqttEdge(Vertx vertx, TelemetryIngest ingest, BridgeMetrics metrics, SessionEvents sessions, Limits limits,
             Admission.Rules rules, OpenSockets sockets) {
        this.limits = limits;
        this.metrics = metrics;
        this.sessions = sessions;
        this.sockets = sockets;
        this.vertx = vertx;
        this.admission = new Admission(vertx, limits, rules, metrics);
        this.registry = new ConnectionRegistry(limits.maxInFlightBytes());
        this.bridge = new DeviceConnection.Bridge(limits, ingest, metrics, sessions, registry);
        metrics.inFlightBytes(registry.inFlightBytes());
        metrics.pausedConnections(() -> registry.all().stream().filter(c -> !c.reading()).count());
        metrics.openSockets(sockets.counter());
        this.keepAliveSweep = vertx.setPeriodic(1000, id -> closeSilent());
    }

    boolean accepting() {
        return accepting;
    }

    /** From now on, new connections are refused (MQTT 5: 0x9C, use another server); open ones carry on. */
    void stopAccepting() {
        accepting = false;
    }

    @Override
    public void handle(MqttEndpoint endpoint) {
        boolean mqtt5 = endpoint.protocolVersion() == MQTT_5;
        Context context = Vertx.currentContext();
        // A client id that is not a valid device id is refused first; until then it is attacker text, shown abridged.
        String clientId = MqttTopics.isValidDeviceId(endpoint.clientIdentifier()) ? endpoint.clientIdentifier()
                : abridged(endpoint.clientIdentifier());
        SessionEvents.Device device = new SessionEvents.Device(clientId, clientId, String.valueOf(endpoint.remoteAddress()),
                transportOf(endpoint), endpoint.protocolVersion(), endpoint.keepAliveTimeSeconds());
        admission.decide(endpoint, context, accepting, sockets.open()).onSuccess(decision -> {
            if (!decision.admitted()) {
                refuse(endpoint, device, decision.refusal(), mqtt5);
            } else {
                open(endpoint, context, decision.deviceId() == null ? device : withDeviceId(device, decision.deviceId()),
                        decision, mqtt5);
            }
        });
    }

    private void refuse(MqttEndpoint endpoint, SessionEvents.Device device, SessionReason reason, boolean mqtt5) {
        metrics.refused(reason);
        sessions.refused(device, reason);
        LOG.debug("refused client '{}' from {}: {}", device.clientId(), device.address(), reason);
        endpoint.reject(ReasonCodes.connack(reason, mqtt5));
    }

    private void open(MqttEndpoint endpoint, Context context, SessionEvents.Device device, Admission.Decision identity,
                      boolean mqtt5) {
        if (!ConnectionReads.open(endpoint)) {
            // Gone while its credentials were checked: registering it would hold a connection slot forever.
            LOG.debug("client '{}' from {} hung up before CONNACK", device.clientId(), device.address());
            return;
        }
        if (!accepting) {
            refuse(endpoint, device, SessionReason.SERVER_DRAINING, mqtt5);
            return;
        }
        int keepAlive = endpoint.keepAliveTimeSeconds();
        boolean heldToMaximum = keepAlive == 0 || keepAlive > limits.keepAliveMaxSeconds();
        DeviceConnection connection = new DeviceConnection(bridge, endpoint, context, device, identity, mqtt5,
                heldToMaximum ? limits.keepAliveMaxSeconds() : 0);
        endpoint.publishAutoAck(false);
        endpoint.publishHandler(connection::onPublish);
        endpoint.publishReleaseHandler(connection::onRelease);
        endpoint.subscribeHandler(subscribe -> endpoint.subscribeAcknowledge(subscribe.messageId(),
                Collections.nCopies(subscribe.topicSubscriptions().size(), MqttQoS.FAILURE)));
        endpoint.unsubscribeHandler(unsubscribe -> endpoint.unsubscribeAcknowledge(unsubscribe.messageId()));
        endpoint.pingHandler(ping -> connection.heardFrom());
        endpoint.disconnectHandler(disconnect -> connection.closeReason(SessionReason.NORMAL));
        endpoint.exceptionHandler(error -> {
            // vertx-mqtt reports a packet the decoder could not read here, and leaves the connection open:
            // the protocol says to close it ([MQTT-4.8.0-1]; MQTT 5 devices are told 0x81, malformed packet).
            LOG.info("closing the connection of client '{}' from {}: {}", device.clientId(), device.address(), error.toString());
            connection.close(SessionReason.PROTOCOL_ERROR, MqttDisconnectReasonCode.MALFORMED_PACKET);
        });
        endpoint.closeHandler(closed -> connection.onClosed());
        endpoint.accept(false, connackProperties(mqtt5, heldToMaximum));
        registry.register(connection);
        metrics.connected();
        sessions.connected(device, connection.connectedAtMs());
        LOG.debug("client '{}' connected from {} over {} (MQTT protocol level {}, device {})", device.clientId(),
                device.address(), device.transport(), endpoint.protocolVersion(),
                identity.deviceId() == null ? "any" : identity.deviceId());
        if (admission.revoked(identity)) {
            // Revoked while its credentials were checked, after the sweep that followed the reload looked.
            connection.close(SessionReason.REVOKED, MqttDisconnectReasonCode.NOT_AUTHORIZED);
        }
    }

    /**
     * Closes the sessions whose credentials were removed or replaced, or whose certificate is now denied (MQTT 5:
     * DISCONNECT 0x87, not authorized), each on its own event loop. Called after every reload.
     */
    Future<Void> closeRevoked() {
        return onEveryConnection(connection -> {
            if (admission.revoked(connection.identity())) {
                LOG.info("closing the session of device '{}': its credentials were revoked", connection.identity().deviceId());
                connection.close(SessionReason.REVOKED, MqttDisconnectReasonCode.NOT_AUTHORIZED);
            }
        });
    }

    /** Devices held to the keep-alive maximum (they asked for none, or more) are closed after 1.5 times it in silence. */
    private void closeSilent() {
        long now = System.nanoTime();
        for (DeviceConnection connection : registry.all()) {
            if (connection.silentTooLong(now)) {
                connection.onContext(() -> connection.close(SessionReason.KEEP_ALIVE_TIMEOUT,
                        MqttDisconnectReasonCode.KEEP_ALIVE_TIMEOUT));
            }
        }
    }

    /**
     * What an MQTT 5 device learns in CONNACK: how many unacknowledged publishes it may have, the largest
     * packet, and that sessions are not kept (session expiry 0: every session is clean; a device only
     * publishes, so it has no subscription to lose) and that there are no retained messages, wildcard or
     * shared subscriptions.
     */
    private MqttProperties connackProperties(boolean mqtt5, boolean heldToKeepAliveMaximum) {
        MqttProperties properties = new MqttProperties();
        if (!mqtt5) {
            return properties;
        }
        properties.add(integer(MqttProperties.MqttPropertyType.RECEIVE_MAXIMUM, limits.receiveMaximum()));
        properties.add(integer(MqttProperties.MqttPropertyType.MAXIMUM_PACKET_SIZE, limits.maxPacketBytes()));
        properties.add(integer(MqttProperties.MqttPropertyType.SESSION_EXPIRY_INTERVAL, 0));
        properties.add(integer(MqttProperties.MqttPropertyType.RETAIN_AVAILABLE, 0));
        properties.add(integer(MqttProperties.MqttPropertyType.WILDCARD_SUBSCRIPTION_AVAILABLE, 0));
        properties.add(integer(MqttProperties.MqttPropertyType.SHARED_SUBSCRIPTION_AVAILABLE, 0));
        if (heldToKeepAliveMaximum) {
            properties.add(integer(MqttProperties.MqttPropertyType.SERVER_KEEP_ALIVE, limits.keepAliveMaxSeconds()));
        }
        return properties;
    }

    private static MqttProperties.IntegerProperty integer(MqttProperties.MqttPropertyType type, int value) {
        return new MqttProperties.IntegerProperty(type.value(), value);
    }

    /**
     * Disconnects every device, each on its own event loop, after the answers already queued there:
     * MQTT 5 devices get DISCONNECT with reason 0x8B (server shutting down), so they reconnect at
     * once, through the balancer, to another bridge; MQTT 3.1.1 has no such packet, so their
     * connections are closed.
     */
    Future<Void> disconnectAll() {
        return onEveryConnection(connection -> connection.close(SessionReason.SERVER_SHUTDOWN,
                MqttDisconnectReasonCode.SERVER_SHUTTING_DOWN));
    }

    /** Stops reading every connection, for good: the bridge is draining. */
    Future<Void> stopReading() {
        registry.stopReading();
        return onEveryConnection(DeviceConnection::updateReading);
    }

    private Future<Void> onEveryConnection(java.util.function.Consumer<DeviceConnection> action) {
        List<Future<Void>> done = new ArrayList<>();
        registry.all().forEach(connection -> {
            Promise<Void> finished = Promise.promise();
            done.add(finished.future());
            connection.onContext(() -> {
                action.accept(connection);
                finished.complete();
            });
        });
        return Future.join(done).mapEmpty();
    }

    /** The open connections, for {@link ClusterSessions} to find a client id's. */
    ConnectionRegistry connections() {
        return registry;
    }

    int connectionCount() {
        return registry.size();
    }

    void close() {
        vertx.cancelTimer(keepAliveSweep);
        admission.close();
    }

    private static SessionEvents.Device withDeviceId(SessionEvents.Device device, String deviceId) {
        return new SessionEvents.Device(deviceId, device.clientId(), device.address(), device.transport(),
                device.protocolVersion(), device.keepAliveSeconds());
    }

    private static String abridged(String text) {
        if (text == null) {
            return "";
        }
        String printable = text.codePoints().limit(64).map(c -> c < 0x20 || c == 0x7f ? '?' : c)
                .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString();
        return text.codePointCount(0, text.length()) > 64 ? printable + "..." : printable;
    }

    private static String transportOf(MqttEndpoint endpoint) {
        if (endpoint.isSsl()) {
            return "tls";
        }
        return endpoint.httpRequestURI() != null ? "websocket" : "tcp";
    }
}
