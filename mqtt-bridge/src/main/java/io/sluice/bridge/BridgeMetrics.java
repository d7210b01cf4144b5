package io.sluice.bridge;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.sluice.schemas.mqtt.PayloadRejection;

/** The bridge's metrics, named in one place ({@code sluice_bridge_*} in Prometheus). */
public final class BridgeMetrics {

    private final MeterRegistry registry;
    private final AtomicInteger connections = new AtomicInteger();
    private final Counter[] publishesByQos = new Counter[3];
    private final Counter readings;
    private final Counter shed;
    private final Counter notWritten;
    private final Counter kafkaFailures;
    private final Timer kafkaWrite;
    private final Timer publishToAck;
    private final Counter bytesReceived;
    private final Counter sessionEventsLost;

    public BridgeMetrics(MeterRegistry registry) {
        this.registry = registry;
        Gauge.builder("sluice.bridge.connections", connections, AtomicInteger::get)
                .description("MQTT connections open now").register(registry);
        for (MqttQoS qos : new MqttQoS[] {MqttQoS.AT_MOST_ONCE, MqttQoS.AT_LEAST_ONCE, MqttQoS.EXACTLY_ONCE}) {
            publishesByQos[qos.value()] = Counter.builder("sluice.bridge.publishes")
                    .description("MQTT publishes received").tag("qos", Integer.toString(qos.value())).register(registry);
        }
        readings = Counter.builder("sluice.bridge.readings").description("Readings written to Kafka").register(registry);
        shed = Counter.builder("sluice.bridge.shed").description("QoS 0 publishes dropped because they could not be written")
                .register(registry);
        notWritten = Counter.builder("sluice.bridge.unacknowledged")
                .description("QoS 1/2 publishes left unacknowledged because they could not be written").register(registry);
        kafkaFailures = Counter.builder("sluice.bridge.kafka.failures").description("Kafka writes that failed").register(registry);
        kafkaWrite = Timer.builder("sluice.bridge.kafka.write").description("Time from send to Kafka's acknowledgement")
                .publishPercentileHistogram().register(registry);
        publishToAck = Timer.builder("sluice.bridge.publish.to.ack")
                .description("Time from receiving a publish to acknowledging it to the device").publishPercentileHistogram()
                .register(registry);
        bytesReceived = Counter.builder("sluice.bridge.received").description("Payload bytes received").baseUnit("bytes")
                .register(registry);
        sessionEventsLost = Counter.builder("sluice.bridge.session.events.lost")
                .description("Session events Kafka did not take").register(registry);
        for (PayloadRejection reason : PayloadRejection.values()) {
            deadLettered(reason, 0);
        }
    }

    void inFlight(AtomicInteger inFlight) {
        Gauge.builder("sluice.bridge.in.flight", inFlight, AtomicInteger::get)
                .description("Publishes waiting for Kafka's acknowledgement").register(registry);
    }

    void connected() {
        connections.incrementAndGet();
        Counter.builder("sluice.bridge.connects").description("CONNECTs answered, by outcome")
                .tag("outcome", "accepted").tag("reason", "").register(registry).increment();
    }

    void refused(SessionReason reason) {
        Counter.builder("sluice.bridge.connects").description("CONNECTs answered, by outcome")
                .tag("outcome", "refused").tag("reason", reason.name()).register(registry).increment();
    }

    void disconnected(SessionReason reason) {
        connections.decrementAndGet();
        Counter.builder("sluice.bridge.disconnects").description("Connections closed, by reason")
                .tag("reason", reason.name()).register(registry).increment();
    }

    void authenticationFailed(String reason) {
        Counter.builder("sluice.bridge.authentication.failures").description("CONNECTs refused for their credentials")
                .tag("reason", reason).register(registry).increment();
    }

    void rateLimited(String limit) {
        Counter.builder("sluice.bridge.rate.limited")
                .description("Times a connect was refused or a connection's reading paused to keep it within a rate limit")
                .tag("limit", limit).register(registry).increment();
    }

    void received(int bytes) {
        bytesReceived.increment(bytes);
    }

    void inFlightBytes(java.util.concurrent.atomic.AtomicLong bytes) {
        Gauge.builder("sluice.bridge.in.flight.bytes", bytes, java.util.concurrent.atomic.AtomicLong::get)
                .description("Payload bytes waiting for Kafka's acknowledgement").baseUnit("bytes").register(registry);
    }

    void pausedConnections(java.util.function.Supplier<Number> paused) {
        Gauge.builder("sluice.bridge.paused.connections", paused).description("Connections not read now (back-pressure)")
                .register(registry);
    }

    void openSockets(AtomicInteger sockets) {
        Gauge.builder("sluice.bridge.sockets", sockets, AtomicInteger::get)
                .description("Open MQTT sockets, those that have not sent CONNECT yet included").register(registry);
    }

    void authenticationQueue(AtomicInteger waiting) {
        Gauge.builder("sluice.bridge.authentication.waiting", waiting, AtomicInteger::get)
                .description("CONNECTs waiting for a password check").register(registry);
    }

    void sessionEventLost() {
        sessionEventsLost.increment();
    }

    void published(MqttQoS qos) {
        publishesByQos[Math.min(qos.value(), 2)].increment();
    }

    void accepted(int count) {
        readings.increment(count);
    }

    void deadLettered(PayloadRejection reason, int count) {
        Counter.builder("sluice.bridge.dead.lettered").description("Publishes rejected to the dead-letter topic")
                .tag("reason", reason.name()).register(registry).increment(count);
    }

    void shed() {
        shed.increment();
    }

    void notWritten() {
        notWritten.increment();
    }

    void kafkaWritten(long nanos) {
        kafkaWrite.record(nanos, TimeUnit.NANOSECONDS);
    }

    void kafkaFailed() {
        kafkaFailures.increment();
    }

    void acknowledged(long nanosSinceReceived) {
        publishToAck.record(nanosSinceReceived, TimeUnit.NANOSECONDS);
    }
}
