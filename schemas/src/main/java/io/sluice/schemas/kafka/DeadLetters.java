package io.sluice.schemas.kafka;

import java.nio.ByteBuffer;
import java.util.Arrays;

import io.sluice.schemas.avro.DeadLetter;

/** Builds the {@link DeadLetter} of input refused anywhere in Sluice, so that every service keeps the same. */
public final class DeadLetters {

    /** The most bytes of the refused input a dead letter keeps; its full size is recorded beside them. */
    public static final int PAYLOAD_BYTES = 4096;

    private DeadLetters() {
    }

    /**
     * @param source    who refused it: mqtt-bridge, stream-processor or clickhouse-sink
     * @param mqttTopic the MQTT topic it came on, or empty
     * @param reason    a stable reason code
     * @param payload   the refused bytes, of which the first {@link #PAYLOAD_BYTES} are kept
     */
    public static DeadLetter of(String source, String deviceId, String mqttTopic, String reason, String detail, byte[] payload,
                                long receivedAtMs) {
        return DeadLetter.newBuilder()
                .setDeviceId(deviceId)
                .setSource(source)
                .setMqttTopic(mqttTopic)
                .setReason(reason)
                .setDetail(detail)
                .setPayload(ByteBuffer.wrap(Arrays.copyOf(payload, Math.min(payload.length, PAYLOAD_BYTES))))
                .setPayloadSize(payload.length)
                .setReceivedAtMs(receivedAtMs)
                .build();
    }
}
