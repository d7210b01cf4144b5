package io.sluice.bridge;

import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.mqtt.MqttAuth;
import io.vertx.mqtt.MqttEndpoint;
import io.vertx.mqtt.messages.MqttPublishMessage;
import io.vertx.mqtt.messages.codes.MqttDisconnectReasonCode;
import io.vertx.mqtt.messages.codes.MqttPubAckReasonCode;
import io.vertx.mqtt.messages.codes.MqttPubRecReasonCode;
import io.sluice.bridge.SessionEvents.Reason;
import io.sluice.bridge.auth.Authenticator;
import io.sluice.schemas.mqtt.MqttTopics;
import io.sluice.schemas.mqtt.PayloadRejection;

/**
 * The MQTT side of a bridge: one instance handles every device connection. Publishes are handed to
 * {@link TelemetryIngest}, and the device's acknowledgement (PUBACK for QoS 1, PUBREC for QoS 2) is
 * sent only when the ingest reports Kafka's acknowledgement.
 *
 * <p>A CONNECT passes, in this order: drain (refused while draining), the address allow/deny lists, the
 * connection limit, the connect rates per client id and per address, then authentication (the TLS
 * client certificate's CN, or username and password against the credentials file; checked off the
 * event loop). A second connection with the same client id takes over: the older one is closed (MQTT 5:
 * DISCONNECT 0x8E). Every outcome is a session event.
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
                  int publishBurstPerDevice, RateLimits publishesPerAddress, AddressRules addresses, int maxPacketBytes) {
    }

    private static final Logger LOG = LoggerFactory.getLogger(MqttEdge.class);
    private static final int MQTT_5 = 5;

    private final TelemetryIngest ingest;
    private final BridgeMetrics metrics;
    private final SessionEvents sessions;
    private final Limits limits;
    private final Authenticator authenticator;
    private final WorkerExecutor authWorkers;
    private final Map<MqttEndpoint, DeviceConnection> connections = new ConcurrentHashMap<>();
    private final Map<String, DeviceConnection> byClientId = new ConcurrentHashMap<>();
    private final Set<DeviceConnection> pausedForBridge = ConcurrentHashMap.newKeySet();
    private final AtomicLong inFlightBytes = new AtomicLong();
    private volatile boolean accepting = true;
    /** False once the bridge drains: no connection is read any more. */
    private volatile boolean reading = true;

    MqttEdge(Vertx vertx, TelemetryIngest ingest, BridgeMetrics metrics, SessionEvents sessions, Limits limits,
             Authenticator authenticator) {
        this.ingest = ingest;
        this.metrics = metrics;
        this.sessions = sessions;
        this.limits = limits;
        this.authenticator = authenticator;
        this.authWorkers = vertx.createSharedWorkerExecutor("sluice-auth", 2);
        metrics.inFlightBytes(inFlightBytes);
        metrics.pausedConnections(() -> connections.values().stream().filter(c -> !c.reading).count());
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
        String clientId = endpoint.clientIdentifier();
        String host = endpoint.remoteAddress() == null ? "" : endpoint.remoteAddress().hostAddress();
        SessionEvents.Device device = new SessionEvents.Device(clientId, clientId, String.valueOf(endpoint.remoteAddress()),
                transportOf(endpoint), endpoint.protocolVersion(), endpoint.keepAliveTimeSeconds());
        Optional<Reason> refusal = admission(clientId, host);
        if (refusal.isPresent()) {
            refuse(endpoint, device, refusal.get(), mqtt5);
            return;
        }
        Optional<String> certificateId = certificateDeviceId(endpoint);
        MqttAuth auth = endpoint.auth();
        String username = auth == null ? null : auth.getUsername();
        if (certificateId.isPresent()) {
            if (username != null && !username.isEmpty() && !username.equals(certificateId.get())) {
                metrics.authenticationFailed("CERTIFICATE_MISMATCH");
                refuse(endpoint, device, Reason.NOT_AUTHORIZED, mqtt5);
            } else {
                open(endpoint, context, device, certificateId.get(), mqtt5);
            }
        } else if (authenticator == null) {
            open(endpoint, context, device, null, mqtt5);
        } else {
            String password = auth == null ? null : auth.getPassword();
            authWorkers.executeBlocking(() -> authenticator.verify(username, password), false)
                    .onComplete(result -> context.runOnContext(ignored -> {
                        Optional<Authenticator.Failure> failure = result.succeeded() ? result.result()
                                : Optional.of(Authenticator.Failure.BAD_PASSWORD);
                        if (failure.isPresent()) {
                            metrics.authenticationFailed(failure.get().name());
                            LOG.info("refused client '{}' from {}: {}", clientId, device.address(), failure.get());
                            refuse(endpoint, device, Reason.BAD_CREDENTIALS, mqtt5);
                        } else {
                            open(endpoint, context, withDeviceId(device, username), username, mqtt5);
                        }
                    }));
        }
    }

    /** The checks a CONNECT passes before authentication, cheapest first. */
    private Optional<Reason> admission(String clientId, String host) {
        long now = System.nanoTime();
        if (!accepting) {
            return Optional.of(Reason.SERVER_DRAINING);
        }
        if (clientId == null || clientId.isEmpty()) {
            return Optional.of(Reason.INVALID_CLIENT_ID);
        }
        if (!limits.addresses().admits(host)) {
            return Optional.of(Reason.BANNED_ADDRESS);
        }
        if (connections.size() >= limits.maxConnections()) {
            return Optional.of(Reason.TOO_MANY_CONNECTIONS);
        }
        if (!limits.connectsPerDevice().tryTake(clientId, now)) {
            metrics.rateLimited("connect.per.device");
            return Optional.of(Reason.CONNECTION_RATE_EXCEEDED);
        }
        if (!limits.connectsPerAddress().tryTake(host, now)) {
            metrics.rateLimited("connect.per.address");
            return Optional.of(Reason.CONNECTION_RATE_EXCEEDED);
        }
        return Optional.empty();
    }

    private void refuse(MqttEndpoint endpoint, SessionEvents.Device device, Reason reason, boolean mqtt5) {
        metrics.refused(reason);
        sessions.refused(device, reason);
        LOG.debug("refused client '{}' from {}: {}", device.clientId(), device.address(), reason);
        endpoint.reject(connackCode(reason, mqtt5));
    }

    static MqttConnectReturnCode connackCode(Reason reason, boolean mqtt5) {
        return switch (reason) {
            case SERVER_DRAINING -> mqtt5 ? MqttConnectReturnCode.CONNECTION_REFUSED_USE_ANOTHER_SERVER
                    : MqttConnectReturnCode.CONNECTION_REFUSED_SERVER_UNAVAILABLE;
            case INVALID_CLIENT_ID -> mqtt5 ? MqttConnectReturnCode.CONNECTION_REFUSED_CLIENT_IDENTIFIER_NOT_VALID
                    : MqttConnectReturnCode.CONNECTION_REFUSED_IDENTIFIER_REJECTED;
            case BANNED_ADDRESS -> mqtt5 ? MqttConnectReturnCode.CONNECTION_REFUSED_BANNED
                    : MqttConnectReturnCode.CONNECTION_REFUSED_NOT_AUTHORIZED;
            case TOO_MANY_CONNECTIONS -> mqtt5 ? MqttConnectReturnCode.CONNECTION_REFUSED_SERVER_BUSY
                    : MqttConnectReturnCode.CONNECTION_REFUSED_SERVER_UNAVAILABLE;
            case CONNECTION_RATE_EXCEEDED -> mqtt5 ? MqttConnectReturnCode.CONNECTION_REFUSED_CONNECTION_RATE_EXCEEDED
                    : MqttConnectReturnCode.CONNECTION_REFUSED_SERVER_UNAVAILABLE;
            case BAD_CREDENTIALS -> mqtt5 ? MqttConnectReturnCode.CONNECTION_REFUSED_BAD_USERNAME_OR_PASSWORD
                    : MqttConnectReturnCode.CONNECTION_REFUSED_BAD_USER_NAME_OR_PASSWORD;
            case NOT_AUTHORIZED -> mqtt5 ? MqttConnectReturnCode.CONNECTION_REFUSED_NOT_AUTHORIZED_5
                    : MqttConnectReturnCode.CONNECTION_REFUSED_NOT_AUTHORIZED;
            default -> mqtt5 ? MqttConnectReturnCode.CONNECTION_REFUSED_UNSPECIFIED_ERROR
                    : MqttConnectReturnCode.CONNECTION_REFUSED_SERVER_UNAVAILABLE;
        };
    }

    private void open(MqttEndpoint endpoint, Context context, SessionEvents.Device device, String deviceId, boolean mqtt5) {
        if (!ConnectionReads.open(endpoint)) {
            // Gone while its credentials were checked: registering it would hold a connection slot forever.
            LOG.debug("client '{}' from {} hung up before CONNACK", device.clientId(), device.address());
            return;
        }
        if (!accepting) {
            refuse(endpoint, device, Reason.SERVER_DRAINING, mqtt5);
            return;
        }
        DeviceConnection connection = new DeviceConnection(endpoint, context, device, deviceId, mqtt5);
        endpoint.publishAutoAck(false);
        endpoint.publishHandler(connection::onPublish);
        endpoint.publishReleaseHandler(connection::onRelease);
        endpoint.subscribeHandler(subscribe -> endpoint.subscribeAcknowledge(subscribe.messageId(),
                Collections.nCopies(subscribe.topicSubscriptions().size(), MqttQoS.FAILURE)));
        endpoint.unsubscribeHandler(unsubscribe -> endpoint.unsubscribeAcknowledge(unsubscribe.messageId()));
        endpoint.pingHandler(ping -> connection.lastPacketNanos = System.nanoTime());
        endpoint.disconnectHandler(disconnect -> connection.closeReason(Reason.NORMAL));
        endpoint.exceptionHandler(error -> {
            // vertx-mqtt reports a packet the decoder could not read here, and leaves the connection open:
            // the protocol says to close it ([MQTT-4.8.0-1]; MQTT 5 devices are told 0x81, malformed packet).
            LOG.info("closing the connection of client '{}' from {}: {}", device.clientId(), device.address(), error.toString());
            connection.close(Reason.PROTOCOL_ERROR, MqttDisconnectReasonCode.MALFORMED_PACKET);
        });
        endpoint.closeHandler(closed -> connection.onClosed());
        endpoint.accept(false, connackProperties(mqtt5));
        connections.put(endpoint, connection);
        DeviceConnection older = byClientId.put(device.clientId(), connection);
        if (older != null) {
            older.takenOver();
        }
        metrics.connected();
        sessions.connected(device);
        LOG.debug("client '{}' connected from {} over {} (MQTT protocol level {}, device {})", device.clientId(),
                device.address(), device.transport(), endpoint.protocolVersion(), deviceId == null ? "any" : deviceId);
    }

    /**
     * What an MQTT 5 device learns in CONNACK: how many unacknowledged publishes it may have, the largest
     * packet, and that sessions are not kept (session expiry 0: every session is clean; a device only
     * publishes, so it has no subscription to lose) and that there are no retained messages, wildcard or
     * shared subscriptions.
     */
    private MqttProperties connackProperties(boolean mqtt5) {
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
        List<Future<Void>> closing = new ArrayList<>();
        connections.values().forEach(connection -> {
            Promise<Void> closed = Promise.promise();
            closing.add(closed.future());
            connection.context.runOnContext(ignored -> {
                connection.close(Reason.SERVER_SHUTDOWN, MqttDisconnectReasonCode.SERVER_SHUTTING_DOWN);
                closed.complete();
            });
        });
        return Future.join(closing).mapEmpty();
    }

    /** Stops reading every connection, for good: the bridge is draining. */
    Future<Void> stopReading() {
        reading = false;
        List<Future<Void>> pausing = new ArrayList<>();
        connections.values().forEach(connection -> {
            Promise<Void> paused = Promise.promise();
            pausing.add(paused.future());
            connection.context.runOnContext(ignored -> {
                connection.updateReading();
                paused.complete();
            });
        });
        return Future.join(pausing).mapEmpty();
    }

    int connectionCount() {
        return connections.size();
    }

    void close() {
        authWorkers.close();
    }

    private static SessionEvents.Device withDeviceId(SessionEvents.Device device, String deviceId) {
        return new SessionEvents.Device(deviceId, device.clientId(), device.address(), device.transport(),
                device.protocolVersion(), device.keepAliveSeconds());
    }

    private static String transportOf(MqttEndpoint endpoint) {
        if (endpoint.isSsl()) {
            return "tls";
        }
        return endpoint.httpRequestURI() != null ? "websocket" : "tcp";
    }

    /** The CN of a verified TLS client certificate, when it is a valid device id. */
    static Optional<String> certificateDeviceId(MqttEndpoint endpoint) {
        if (!endpoint.isSsl()) {
            return Optional.empty();
        }
        SSLSession session = endpoint.sslSession();
        if (session == null) {
            return Optional.empty();
        }
        try {
            Certificate[] chain = session.getPeerCertificates();
            if (chain.length == 0 || !(chain[0] instanceof X509Certificate certificate)) {
                return Optional.empty();
            }
            for (Rdn rdn : new LdapName(certificate.getSubjectX500Principal().getName()).getRdns()) {
                if (rdn.getType().equalsIgnoreCase("CN") && MqttTopics.isValidDeviceId(String.valueOf(rdn.getValue()))) {
                    return Optional.of(String.valueOf(rdn.getValue()));
                }
            }
        } catch (SSLPeerUnverifiedException | InvalidNameException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }

    private static List<Header> headersOf(MqttPublishMessage message) {
        MqttProperties properties = message.properties();
        if (properties == null) {
            return List.of();
        }
        List<Header> headers = new ArrayList<>();
        MqttProperties.MqttProperty<?> user = properties.getProperty(MqttProperties.MqttPropertyType.USER_PROPERTY.value());
        if (user instanceof MqttProperties.UserProperties pairs) {
            for (MqttProperties.StringPair pair : pairs.value()) {
                headers.add(new RecordHeader("mqtt.user." + pair.key, pair.value.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
            }
        }
        MqttProperties.MqttProperty<?> contentType = properties.getProperty(MqttProperties.MqttPropertyType.CONTENT_TYPE.value());
        if (contentType != null && contentType.value() instanceof String type) {
            headers.add(new RecordHeader("mqtt.content-type", type.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        }
        return headers;
    }

    /** One open device connection. Everything here runs on its event loop ({@link #context}). */
    private final class DeviceConnection {
        final MqttEndpoint endpoint;
        final Context context;
        final SessionEvents.Device device;
        final String deviceId;
        final boolean mqtt5;
        final String host;
        final long connectedAtMs = System.currentTimeMillis();
        final OrderedAcks<Runnable> acks = new OrderedAcks<>();
        final RateLimits publishes;
        /** QoS 2 packet ids being written, and those answered with PUBREC and waiting for PUBREL. */
        final Set<Integer> qos2Writing = new HashSet<>();
        final Set<Integer> qos2Received = new HashSet<>();
        long bytesInFlight;
        int unacknowledged;
        long readAgainAtNanos;
        boolean reading = true;
        boolean timerSet;
        volatile long lastPacketNanos = System.nanoTime();
        volatile Reason closeReason;

        DeviceConnection(MqttEndpoint endpoint, Context context, SessionEvents.Device device, String deviceId, boolean mqtt5) {
            this.endpoint = endpoint;
            this.context = context;
            this.device = device;
            this.deviceId = deviceId;
            this.mqtt5 = mqtt5;
            this.host = endpoint.remoteAddress() == null ? "" : endpoint.remoteAddress().hostAddress();
            this.publishes = new RateLimits(limits.publishRatePerDevice(), limits.publishBurstPerDevice());
        }

        void closeReason(Reason reason) {
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
                    close(Reason.RECEIVE_MAXIMUM_EXCEEDED, MqttDisconnectReasonCode.RECEIVE_MAXIMUM_EXCEEDED);
                    return;
                }
            }
            int bytes = message.payload().length();
            metrics.received(bytes);
            if (qos == MqttQoS.AT_MOST_ONCE && inFlightBytes.get() >= limits.maxInFlightBytes()) {
                metrics.shed();
                return;
            }
            bytesInFlight += bytes;
            inFlightBytes.addAndGet(bytes);
            long wait = Math.max(publishes.take("", receivedNanos), limits.publishesPerAddress().take(host, receivedNanos));
            if (wait > 0) {
                metrics.rateLimited("publish");
                readAgainAtNanos = Math.max(readAgainAtNanos, receivedNanos + wait);
            }
            updateReading();
            OrderedAcks.Slot<Runnable> slot = acks.enqueue();
            ingest.ingest(message.topicName(), message.payload().getBytes(), System.currentTimeMillis(), deviceId,
                            mqtt5 ? headersOf(message) : List.of())
                    .thenAccept(outcome -> context.runOnContext(ignored -> {
                        bytesInFlight -= bytes;
                        inFlightBytes.addAndGet(-bytes);
                        Runnable answer = () -> answer(messageId, qos, outcome, receivedNanos);
                        acks.complete(slot, answer).forEach(Runnable::run);
                        updateReading();
                        wakeConnectionsPausedForTheBridge();
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
                close(Reason.NOT_WRITTEN, null);
                return;
            }
            if (qos == MqttQoS.AT_LEAST_ONCE) {
                if (mqtt5) {
                    endpoint.publishAcknowledge(messageId, pubAckCode(outcome), MqttProperties.NO_PROPERTIES);
                } else {
                    endpoint.publishAcknowledge(messageId);
                }
            } else {
                if (!(outcome instanceof IngestOutcome.NotWritten)) {
                    qos2Received.add(messageId);
                }
                if (mqtt5) {
                    endpoint.publishReceived(messageId, MqttPubRecReasonCode.valueOf(pubAckCode(outcome).value()),
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
            boolean overBridge = inFlightBytes.get() >= limits.maxInFlightBytes();
            boolean rateWait = now < readAgainAtNanos;
            boolean read = MqttEdge.this.reading && !overBridge && !rateWait
                    && bytesInFlight < limits.maxInFlightBytesPerConnection()
                    && (mqtt5 || unacknowledged + qos2Received.size() < limits.receiveMaximum());
            if (overBridge) {
                pausedForBridge.add(this);
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

        void takenOver() {
            context.runOnContext(ignored -> close(Reason.TAKEOVER, MqttDisconnectReasonCode.SESSION_TAKEN_OVER));
        }

        /** Closes the connection, MQTT 5 devices first told why (when a code is given). */
        void close(Reason reason, MqttDisconnectReasonCode code) {
            closeReason(reason);
            if (endpoint.isConnected() && mqtt5 && code != null) {
                endpoint.disconnect(code, MqttProperties.NO_PROPERTIES);
            }
            if (endpoint.isConnected()) {
                endpoint.close();
            }
        }

        void onClosed() {
            connections.remove(endpoint);
            byClientId.remove(device.clientId(), this);
            pausedForBridge.remove(this);
            Reason reason = closeReason;
            if (reason == null) {
                int keepAlive = device.keepAliveSeconds();
                long silentMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - lastPacketNanos);
                reason = keepAlive > 0 && silentMs >= keepAlive * 1000L * 3 / 2 - 250 ? Reason.KEEP_ALIVE_TIMEOUT
                        : Reason.CONNECTION_LOST;
            }
            metrics.disconnected(reason);
            sessions.disconnected(device, reason, System.currentTimeMillis() - connectedAtMs);
            LOG.debug("client '{}' from {} disconnected: {}", device.clientId(), device.address(), reason);
        }
    }

    /** When the bridge's bytes in flight fall under the bound, connections paused for it are read again. */
    private void wakeConnectionsPausedForTheBridge() {
        if (pausedForBridge.isEmpty() || inFlightBytes.get() >= limits.maxInFlightBytes()) {
            return;
        }
        for (DeviceConnection paused : pausedForBridge) {
            if (pausedForBridge.remove(paused)) {
                paused.context.runOnContext(ignored -> paused.updateReading());
            }
        }
    }

    private static MqttPubAckReasonCode pubAckCode(IngestOutcome outcome) {
        if (outcome instanceof IngestOutcome.Accepted) {
            return MqttPubAckReasonCode.SUCCESS;
        }
        if (outcome instanceof IngestOutcome.DeadLettered rejected) {
            if (rejected.reason() == PayloadRejection.TOPIC_OUTSIDE_LAYOUT) {
                return MqttPubAckReasonCode.TOPIC_NAME_INVALID;
            }
            return rejected.reason() == PayloadRejection.NOT_AUTHORIZED ? MqttPubAckReasonCode.NOT_AUTHORIZED
                    : MqttPubAckReasonCode.PAYLOAD_FORMAT_INVALID;
        }
        return MqttPubAckReasonCode.UNSPECIFIED_ERROR;
    }
}
