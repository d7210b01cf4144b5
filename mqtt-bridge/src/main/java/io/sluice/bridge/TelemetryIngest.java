package io.sluice.bridge;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;

import io.sluice.schemas.avro.DeadLetter;
import io.sluice.schemas.avro.TelemetryEvent;
import io.sluice.runtime.RateLimitedLog;
import io.sluice.schemas.kafka.DeadLetters;
import io.sluice.schemas.kafka.Topics;
import io.sluice.schemas.mqtt.InvalidPayloadException;
import io.sluice.schemas.mqtt.MqttTopics;
import io.sluice.schemas.mqtt.PayloadLimits;
import io.sluice.schemas.mqtt.PayloadRejection;
import io.sluice.schemas.mqtt.TelemetryPayload;

/**
 * Turns one MQTT publish into a durable Kafka record and says when it is durable: the normalized
 * event to the raw telemetry topic, keyed by device id, or a dead-letter record with the reason when
 * the publish breaks the contract. The returned stage completes only after Kafka acknowledged the
 * write (the producer runs with acks=all and idempotence), so the caller acknowledges the device
 * only then. Free of MQTT and Vert.x, so that it is tested with a mock producer.
 */
public final class TelemetryIngest {

    /** Devices cause these: at most 10 lines a second each. */
    private static final RateLimitedLog REJECTIONS = new RateLimitedLog(TelemetryIngest.class, 10);
    private static final RateLimitedLog KAFKA_FAILURES = new RateLimitedLog(TelemetryIngest.class, 10);

    private final Producer<byte[], byte[]> producer;
    private final PayloadLimits limits;
    private final int maxInFlight;
    private final BridgeMetrics metrics;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final Executor sendOn;

    /**
     * @param sendOn where {@code producer.send()} runs. It can block (up to the producer's {@code max.block.ms})
     *               while Kafka is unreachable and the producer has no metadata, so the bridge gives it a
     *               thread of its own, never an event loop; publishes waiting for it are bounded by the
     *               in-flight bounds, beyond which connections are not read.
     */
    public TelemetryIngest(Producer<byte[], byte[]> producer, PayloadLimits limits, int maxInFlight, BridgeMetrics metrics,
                           Executor sendOn) {
        this.producer = producer;
        this.sendOn = sendOn;
        this.limits = limits;
        this.maxInFlight = maxInFlight;
        this.metrics = metrics;
        metrics.inFlight(inFlight);
    }

    public CompletionStage<IngestOutcome> ingest(String mqttTopic, byte[] payload, long receivedAtMs) {
        return ingest(mqttTopic, payload, receivedAtMs, null, List.of());
    }

    /**
     * Ingests one publish.
     *
     * @param allowedDeviceId the only device this connection may publish for (its authenticated identity),
     *                        or null when the bridge runs without authentication
     * @param headers         Kafka headers to carry with the record (the publish's MQTT 5 user properties)
     */
    public CompletionStage<IngestOutcome> ingest(String mqttTopic, byte[] payload, long receivedAtMs, String allowedDeviceId,
                                                 List<Header> headers) {
        if (inFlight.get() >= maxInFlight) {
            return CompletableFuture.completedFuture(new IngestOutcome.NotWritten(
                    "over the bridge's bound of " + maxInFlight + " publishes in flight"));
        }
        Optional<String> deviceId = MqttTopics.deviceIdOfTelemetry(mqttTopic);
        if (deviceId.isEmpty()) {
            return deadLetter(allowedDeviceId == null ? "" : allowedDeviceId, mqttTopic, payload, receivedAtMs,
                    new InvalidPayloadException(PayloadRejection.TOPIC_OUTSIDE_LAYOUT, "topic '" + abbreviate(mqttTopic) + "'"));
        }
        if (allowedDeviceId != null && !allowedDeviceId.equals(deviceId.get())) {
            return deadLetter(allowedDeviceId, mqttTopic, payload, receivedAtMs,
                    new InvalidPayloadException(PayloadRejection.NOT_AUTHORIZED,
                            "device '" + allowedDeviceId + "' published for device '" + deviceId.get() + "'"));
        }
        List<TelemetryEvent> events;
        try {
            events = TelemetryPayload.parseAll(deviceId.get(), payload, receivedAtMs, limits);
        } catch (InvalidPayloadException e) {
            return deadLetter(deviceId.get(), mqttTopic, payload, receivedAtMs, e);
        }
        if (events.size() == 1) {
            TelemetryEvent event = events.get(0);
            return send(Topics.TELEMETRY_RAW.record(event.getDeviceId(), event, headers), event.getDeviceId(),
                    new IngestOutcome.Accepted(event.getMetrics().size()));
        }
        // A SenML pack with several times: one record per time, acknowledged when all are written.
        int readings = 0;
        List<CompletableFuture<IngestOutcome>> sends = new ArrayList<>();
        for (TelemetryEvent event : events) {
            readings += event.getMetrics().size();
            sends.add(send(Topics.TELEMETRY_RAW.record(event.getDeviceId(), event, headers), event.getDeviceId(),
                    new IngestOutcome.Accepted(event.getMetrics().size())).toCompletableFuture());
        }
        IngestOutcome.Accepted all = new IngestOutcome.Accepted(readings);
        return CompletableFuture.allOf(sends.toArray(CompletableFuture[]::new)).thenApply(done -> sends.stream()
                .map(CompletableFuture::join)
                .filter(outcome -> !(outcome instanceof IngestOutcome.Accepted))
                .findFirst()
                .orElse(all));
    }

    /**
     * Writes a record that is not a publish (a session event) within the same bound of records in flight as the
     * publishes: over it, the record is not written (the caller counts it). Best effort, never waited for.
     */
    public CompletionStage<IngestOutcome> write(ProducerRecord<byte[], byte[]> record, String key) {
        if (inFlight.get() >= maxInFlight) {
            return CompletableFuture.completedFuture(new IngestOutcome.NotWritten(
                    "over the bridge's bound of " + maxInFlight + " records in flight"));
        }
        return send(record, key, new IngestOutcome.Accepted(0));
    }

    private CompletionStage<IngestOutcome> deadLetter(String deviceId, String mqttTopic, byte[] payload, long receivedAtMs,
                                                      InvalidPayloadException rejection) {
        REJECTIONS.warn("rejected publish from device '{}' on topic '{}': {} ({})", deviceId, abbreviate(mqttTopic),
                rejection.reason(), rejection.detail());
        DeadLetter record = DeadLetters.of("mqtt-bridge", deviceId, abbreviate(mqttTopic), rejection.reason().name(),
                rejection.detail(), payload, receivedAtMs);
        return send(Topics.DEAD_LETTER.record(deviceId, record), deviceId,
                new IngestOutcome.DeadLettered(rejection.reason(), rejection.detail()));
    }

    private CompletionStage<IngestOutcome> send(ProducerRecord<byte[], byte[]> record, String key, IngestOutcome onSuccess) {
        CompletableFuture<IngestOutcome> outcome = new CompletableFuture<>();
        inFlight.incrementAndGet();
        try {
            sendOn.execute(() -> send(record, key, onSuccess, outcome));
        } catch (RejectedExecutionException e) {
            inFlight.decrementAndGet();
            outcome.complete(new IngestOutcome.NotWritten("the bridge is shutting down"));
        }
        return outcome;
    }

    private void send(ProducerRecord<byte[], byte[]> record, String key, IngestOutcome onSuccess,
                      CompletableFuture<IngestOutcome> outcome) {
        long startNanos = System.nanoTime();
        try {
            producer.send(record, (metadata, error) -> {
                inFlight.decrementAndGet();
                if (error == null) {
                    metrics.kafkaWritten(System.nanoTime() - startNanos);
                    outcome.complete(onSuccess);
                } else {
                    metrics.kafkaFailed();
                    KAFKA_FAILURES.warn("Kafka did not take a record for device '{}' on {}: {}", key, record.topic(),
                            error.toString());
                    outcome.complete(new IngestOutcome.NotWritten("Kafka: " + error.getMessage()));
                }
            });
        } catch (RuntimeException e) {
            // send() itself throws when it waited max.block.ms for metadata or buffer space, or the producer is closed.
            inFlight.decrementAndGet();
            metrics.kafkaFailed();
            KAFKA_FAILURES.warn("Kafka did not take a record for device '{}' on {}: {}", key, record.topic(), e.toString());
            outcome.complete(new IngestOutcome.NotWritten("Kafka: " + e.getMessage()));
        }
    }

    public int inFlight() {
        return inFlight.get();
    }

    private static String abbreviate(String text) {
        return text.length() <= 256 ? text : text.substring(0, 256) + "...";
    }
}
