package io.sluice.testing;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.mqtt.MqttDecoder;
import io.netty.handler.codec.mqtt.MqttEncoder;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttVersion;

/**
 * An MQTT 3.1.1 client over WebSocket for tests: the JDK's WebSocket client (subprotocol
 * {@code mqtt}, binary frames) carrying packets framed by Netty's MQTT codec. Neither Debian's
 * mosquitto clients nor Vert.x's MQTT client speak MQTT over WebSocket.
 */
public final class WebSocketMqttClient implements AutoCloseable {

    private final WebSocket webSocket;
    private final EmbeddedChannel encoder = new EmbeddedChannel(MqttEncoder.INSTANCE);
    private final EmbeddedChannel decoder = new EmbeddedChannel(new MqttDecoder());
    private final BlockingQueue<MqttMessage> received = new LinkedBlockingQueue<>();
    private int nextPacketId = 1;

    private WebSocketMqttClient(URI uri) throws Exception {
        this.webSocket = HttpClient.newHttpClient().newWebSocketBuilder()
                .subprotocols("mqtt")
                .connectTimeout(Duration.ofSeconds(10))
                .buildAsync(uri, new Listener())
                .get(10, TimeUnit.SECONDS);
    }

    /** Opens the WebSocket to {@code ws://host:port/mqtt} and sends CONNECT; the CONNACK is the first message received. */
    public static WebSocketMqttClient connect(URI uri, String clientId) throws Exception {
        WebSocketMqttClient client = new WebSocketMqttClient(uri);
        client.send(MqttMessageBuilders.connect().clientId(clientId).protocolVersion(MqttVersion.MQTT_3_1_1)
                .cleanSession(true).keepAlive(60).build());
        return client;
    }

    /** Publishes at QoS 1 and returns the packet id the PUBACK will carry. */
    public int publishAtLeastOnce(String topic, byte[] payload) throws Exception {
        int packetId = nextPacketId++;
        send(MqttMessageBuilders.publish().topicName(topic).qos(MqttQoS.AT_LEAST_ONCE).retained(false)
                .messageId(packetId).payload(Unpooled.wrappedBuffer(payload)).build());
        return packetId;
    }

    /** The next packet from the server, or an assertion error after the timeout. */
    public MqttMessage next(Duration timeout) throws InterruptedException {
        MqttMessage message = received.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (message == null) {
            throw new AssertionError("no MQTT packet over the WebSocket within " + timeout.toMillis() + " ms");
        }
        return message;
    }

    private synchronized void send(MqttMessage message) throws Exception {
        encoder.writeOutbound(message);
        ByteBuf encoded = encoder.readOutbound();
        ByteBuffer frame = ByteBuffer.allocate(encoded.readableBytes());
        encoded.readBytes(frame);
        encoded.release();
        frame.flip();
        webSocket.sendBinary(frame, true).get(10, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        webSocket.abort();
        encoder.finishAndReleaseAll();
        decoder.finishAndReleaseAll();
    }

    private final class Listener implements WebSocket.Listener {

        @Override
        public CompletionStage<?> onBinary(WebSocket socket, ByteBuffer data, boolean last) {
            synchronized (decoder) {
                decoder.writeInbound(Unpooled.copiedBuffer(data));
                for (MqttMessage message; (message = decoder.readInbound()) != null; ) {
                    received.add(message);
                }
            }
            socket.request(1);
            return CompletableFuture.completedFuture(null);
        }
    }
}
