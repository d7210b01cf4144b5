package io.sluice.bridge.fuzz;

import java.util.ArrayList;
import java.util.List;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.mqtt.MqttConnectMessage;
import io.netty.handler.codec.mqtt.MqttDecoder;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.util.ReferenceCountUtil;
import io.sluice.schemas.mqtt.MqttTopics;
import io.sluice.schemas.mqtt.PayloadLimits;

/**
 * The bridge's MQTT decoder path, from raw bytes on a socket: Netty's MqttDecoder as vertx-mqtt's server sets it up
 * (the bridge's packet limit), then what the bridge does with what it decodes: the client id checked as a device id,
 * the topic mapped to a device, the payload parsed ({@link PayloadFuzzer#parse}). Whatever the bytes, nothing may
 * throw, and nothing decoded may be larger than the packet limit. Sent in two reads, split where the input says, so
 * that the decoder's state between reads is fuzzed too.
 */
public final class MqttPacketFuzzer {

    /** As MqttBridge sets it: twice the largest payload, plus room for the headers. */
    static final int MAX_PACKET_BYTES = 2 * PayloadLimits.DEFAULT_MAX_PAYLOAD_BYTES + 1024;
    private static final int MAX_CLIENT_ID_LENGTH = 23; // vertx-mqtt's default; MQTT 3.1 only

    private MqttPacketFuzzer() {
    }

    public static void fuzzerTestOneInput(byte[] data) {
        EmbeddedChannel channel = new EmbeddedChannel(new MqttDecoder(MAX_PACKET_BYTES, MAX_CLIENT_ID_LENGTH));
        try {
            int split = data.length == 0 ? 0 : (data[0] & 0xff) % (data.length + 1);
            channel.writeInbound(Unpooled.wrappedBuffer(data, 0, split));
            channel.writeInbound(Unpooled.wrappedBuffer(data, split, data.length - split));
            List<Object> decoded = new ArrayList<>();
            for (Object message; (message = channel.readInbound()) != null; ) {
                decoded.add(message);
            }
            for (Object message : decoded) {
                try {
                    handle((MqttMessage) message);
                } finally {
                    ReferenceCountUtil.release(message);
                }
            }
        } finally {
            channel.finishAndReleaseAll();
        }
    }

    private static void handle(MqttMessage message) {
        if (!message.decoderResult().isSuccess()) {
            return; // the bridge closes such a connection
        }
        if (message instanceof MqttConnectMessage connect) {
            MqttTopics.isValidDeviceId(connect.payload().clientIdentifier());
        } else if (message instanceof MqttPublishMessage publish) {
            int bytes = publish.payload().readableBytes();
            if (bytes > MAX_PACKET_BYTES) {
                throw new IllegalStateException("decoded a payload of " + bytes + " bytes past the packet limit");
            }
            byte[] payload = new byte[bytes];
            publish.payload().getBytes(publish.payload().readerIndex(), payload);
            MqttTopics.deviceIdOfTelemetry(publish.variableHeader().topicName())
                    .ifPresent(device -> PayloadFuzzer.parse(device, payload));
        }
    }
}
