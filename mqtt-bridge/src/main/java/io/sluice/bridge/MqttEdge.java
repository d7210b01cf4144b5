package io.sluice.bridge;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

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
import io.vertx.mqtt.MqttEndpoint;
import io.vertx.mqtt.messages.MqttPublishMessage;
import io.vertx.mqtt.messages.codes.MqttDisconnectReasonCode;
import io.vertx.mqtt.messages.codes.MqttPubAckReasonCode;
import io.vertx.mqtt.messages.codes.MqttPubRecReasonCode;
import io.sluice.schemas.mqtt.PayloadRejection;

/**
 * The MQTT side of a bridge: one instance handles every device connection. Publishes are handed to
 * {@link TelemetryIngest}, and the device's acknowledgement (PUBACK for QoS 1, PUBREC for QoS 2) is
 * sent only when the ingest reports Kafka's acknowledgement.
 *
 * <p>Acknowledgements leave in the order the publishes arrived on the connection ({@link OrderedAcks}),
 * whatever order Kafka acknowledges them in.
 *
 * <p>What the device sees:
 * <ul>
 *   <li>accepted: PUBACK / PUBREC with success;</li>
 *   <li>rejected payload: the publish is dead-lettered with its reason; MQTT 5 devices get reason
 *       0x99 (payload format invalid), or 0x90 (topic name invalid) for a topic outside the layout;
 *       MQTT 3.1.1 has no negative acknowledgement, so 3.1.1 devices get a plain PUBACK once the
 *       dead-letter record is durable (retrying would not help them);</li>
 *   <li>not written (Kafka unavailable, bridge overloaded): MQTT 5 devices get 0x80 (unspecified
 *       error); MQTT 3.1.1 devices are disconnected so that they resend the unacknowledged publish
 *       after reconnecting. QoS 0 publishes are shed and counted.</li>
 * </ul>
 * Devices cannot subscribe: Sluice takes telemetry in, it does not route messages; SUBSCRIBE is
 * answered with the failure code.
 */
final class MqttEdge implements Handler<MqttEndpoint> {

    private static final Logger LOG = LoggerFactory.getLogger(MqttEdge.class);
    private static final int MQTT_5 = 5;

    /** An open connection, with the event loop it lives on. */
    private record Connection(Context context, boolean mqtt5) {
    }

    private final TelemetryIngest ingest;
    private final BridgeMetrics metrics;
    private final Map<MqttEndpoint, Connection> connections = new ConcurrentHashMap<>();
    private volatile boolean accepting = true;

    MqttEdge(TelemetryIngest ingest, BridgeMetrics metrics) {
        this.ingest = ingest;
        this.metrics = metrics;
    }

    boolean accepting() {
        return accepting;
    }

    /** From now on, new connections are refused (server unavailable); open ones carry on. */
    void stopAccepting() {
        accepting = false;
    }

    @Override
    public void handle(MqttEndpoint endpoint) {
        boolean mqtt5 = endpoint.protocolVersion() == MQTT_5;
        if (!accepting) {
            endpoint.reject(mqtt5 ? MqttConnectReturnCode.CONNECTION_REFUSED_SERVER_UNAVAILABLE_5
                    : MqttConnectReturnCode.CONNECTION_REFUSED_SERVER_UNAVAILABLE);
            return;
        }
        Context context = Vertx.currentContext();
        // Read while the connection is open: the endpoint refuses these questions once it is closed.
        String clientId = endpoint.clientIdentifier();
        String address = String.valueOf(endpoint.remoteAddress());
        endpoint.publishAutoAck(false);
        OrderedAcks<Runnable> acks = new OrderedAcks<>();
        endpoint.publishHandler(message -> onPublish(endpoint, context, acks, message, mqtt5));
        endpoint.publishReleaseHandler(endpoint::publishComplete);
        endpoint.subscribeHandler(subscribe -> endpoint.subscribeAcknowledge(subscribe.messageId(),
                Collections.nCopies(subscribe.topicSubscriptions().size(), MqttQoS.FAILURE)));
        endpoint.unsubscribeHandler(unsubscribe -> endpoint.unsubscribeAcknowledge(unsubscribe.messageId()));
        endpoint.exceptionHandler(error -> LOG.debug("connection of client '{}' from {} failed: {}",
                clientId, address, error.toString()));
        endpoint.closeHandler(closed -> {
            connections.remove(endpoint);
            metrics.disconnected();
            LOG.debug("client '{}' from {} disconnected", clientId, address);
        });
        endpoint.accept(false);
        connections.put(endpoint, new Connection(context, mqtt5));
        metrics.connected();
        LOG.debug("client '{}' connected from {} (MQTT protocol level {})", clientId, address, endpoint.protocolVersion());
    }

    /**
     * Disconnects every device, each on its own event loop, after the answers already queued there:
     * MQTT 5 devices get DISCONNECT with reason 0x8B (server shutting down), so they reconnect at
     * once, through the balancer, to another bridge; MQTT 3.1.1 has no such packet, so their
     * connections are closed.
     */
    Future<Void> disconnectAll() {
        List<Future<Void>> closing = new ArrayList<>();
        connections.forEach((endpoint, connection) -> {
            Promise<Void> closed = Promise.promise();
            closing.add(closed.future());
            connection.context().runOnContext(ignored -> {
                if (endpoint.isConnected() && connection.mqtt5()) {
                    endpoint.disconnect(MqttDisconnectReasonCode.SERVER_SHUTTING_DOWN, MqttProperties.NO_PROPERTIES);
                }
                if (endpoint.isConnected()) {
                    endpoint.close();
                }
                closed.complete();
            });
        });
        return Future.join(closing).mapEmpty();
    }

    int connectionCount() {
        return connections.size();
    }

    private void onPublish(MqttEndpoint endpoint, Context context, OrderedAcks<Runnable> acks, MqttPublishMessage message,
                           boolean mqtt5) {
        long receivedNanos = System.nanoTime();
        MqttQoS qos = message.qosLevel();
        metrics.published(qos);
        OrderedAcks.Slot<Runnable> slot = acks.enqueue();
        ingest.ingest(message.topicName(), message.payload().getBytes(), System.currentTimeMillis())
                .thenAccept(outcome -> context.runOnContext(ignored -> {
                    Runnable answer = () -> answer(endpoint, message.messageId(), qos, mqtt5, outcome, receivedNanos);
                    acks.complete(slot, answer).forEach(Runnable::run);
                }));
    }

    private void answer(MqttEndpoint endpoint, int messageId, MqttQoS qos, boolean mqtt5, IngestOutcome outcome,
                        long receivedNanos) {
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
            LOG.warn("disconnecting a client: publish {} could not be written ({}); it will be resent after reconnecting",
                    messageId, notWritten.why());
            endpoint.close();
            return;
        }
        if (qos == MqttQoS.AT_LEAST_ONCE) {
            if (mqtt5) {
                endpoint.publishAcknowledge(messageId, pubAckCode(outcome), MqttProperties.NO_PROPERTIES);
            } else {
                endpoint.publishAcknowledge(messageId);
            }
        } else if (mqtt5) {
            endpoint.publishReceived(messageId, MqttPubRecReasonCode.valueOf(pubAckCode(outcome).value()),
                    MqttProperties.NO_PROPERTIES);
        } else {
            endpoint.publishReceived(messageId);
        }
        metrics.acknowledged(System.nanoTime() - receivedNanos);
    }

    private static MqttPubAckReasonCode pubAckCode(IngestOutcome outcome) {
        if (outcome instanceof IngestOutcome.Accepted) {
            return MqttPubAckReasonCode.SUCCESS;
        }
        if (outcome instanceof IngestOutcome.DeadLettered rejected) {
            return rejected.reason() == PayloadRejection.TOPIC_OUTSIDE_LAYOUT
                    ? MqttPubAckReasonCode.TOPIC_NAME_INVALID : MqttPubAckReasonCode.PAYLOAD_FORMAT_INVALID;
        }
        return MqttPubAckReasonCode.UNSPECIFIED_ERROR;
    }
}
