package io.sluice.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.mqtt.MqttDecoder;
import io.netty.handler.codec.mqtt.MqttEncoder;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttPublishVariableHeader;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttReasonCodeAndPropertiesVariableHeader;
import io.netty.handler.codec.mqtt.MqttVersion;

/**
 * An MQTT client over a plain socket that does exactly what the test says, packet by packet: resend
 * a QoS 2 publish with the DUP flag, leave a PUBREL unsent, write bytes that are no MQTT at all. Packets
 * are framed by Netty's MQTT codec; what the server sends back is queued for {@link #next}.
 */
public final class RawMqttClient implements AutoCloseable {

    private final Socket socket;
    private final OutputStream out;
    private final MqttVersion version;
    private final EmbeddedChannel encoder = new EmbeddedChannel(MqttEncoder.INSTANCE);
    private final BlockingQueue<MqttMessage> received = new LinkedBlockingQueue<>();
    private final CountDownLatch closed = new CountDownLatch(1);

    private RawMqttClient(Socket socket, MqttVersion version) throws IOException {
        this.socket = socket;
        this.out = socket.getOutputStream();
        this.version = version;
        Thread reader = new Thread(this::read, "raw-mqtt-reader");
        reader.setDaemon(true);
        reader.start();
    }

    /** Connects and sends CONNECT; the CONNACK is the first packet {@link #next} returns. */
    public static RawMqttClient connect(int port, String clientId, MqttVersion version) throws IOException {
        Socket socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
        RawMqttClient client = new RawMqttClient(socket, version);
        client.send(MqttMessageBuilders.connect().clientId(clientId).protocolVersion(version).cleanSession(true)
                .keepAlive(60).build());
        return client;
    }

    /**
     * Opens a socket from {@code sourceAddress} (on Linux any 127.x.y.z is loopback, so a test can be several
     * addresses) and sends nothing: {@link #login} sends the CONNECT, or the test leaves the socket idle.
     */
    public static RawMqttClient open(String sourceAddress, int port, MqttVersion version) throws IOException {
        Socket socket = new Socket();
        socket.bind(new InetSocketAddress(sourceAddress, 0));
        socket.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
        return new RawMqttClient(socket, version);
    }

    /** Opens a TLS connection with the socket factory (a device certificate, see TestCertificates) and sends nothing. */
    public static RawMqttClient open(javax.net.SocketFactory sockets, int port, MqttVersion version) throws IOException {
        Socket socket = sockets.createSocket("127.0.0.1", port);
        return new RawMqttClient(socket, version);
    }

    /** Sends CONNECT with these credentials (null: none) and keep-alive. */
    public RawMqttClient login(String clientId, int keepAliveSeconds, String username, String password) throws IOException {
        MqttMessageBuilders.ConnectBuilder connect = MqttMessageBuilders.connect().clientId(clientId).protocolVersion(version)
                .cleanSession(true).keepAlive(keepAliveSeconds);
        if (username != null) {
            connect.hasUser(true).username(username);
        }
        if (password != null) {
            connect.hasPassword(true).password(password.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        send(connect.build());
        return this;
    }

    /** The CONNACK, waiting up to the timeout for it. */
    public io.netty.handler.codec.mqtt.MqttConnAckMessage connack(Duration timeout) throws InterruptedException {
        MqttMessage message = next(timeout);
        if (!(message instanceof io.netty.handler.codec.mqtt.MqttConnAckMessage connack)) {
            throw new AssertionError("expected CONNACK, got " + message.fixedHeader().messageType());
        }
        return connack;
    }

    /** Publishes with MQTT 5 properties (user properties, for one). */
    public void publish(String topic, byte[] payload, MqttQoS qos, int packetId,
                        io.netty.handler.codec.mqtt.MqttProperties properties) throws IOException {
        MqttFixedHeader header = new MqttFixedHeader(MqttMessageType.PUBLISH, false, qos, false, 0);
        send(new MqttPublishMessage(header, new MqttPublishVariableHeader(topic, packetId, properties),
                Unpooled.wrappedBuffer(payload)));
    }

    public void publish(String topic, byte[] payload, MqttQoS qos, int packetId, boolean dup) throws IOException {
        MqttFixedHeader header = new MqttFixedHeader(MqttMessageType.PUBLISH, dup, qos, false, 0);
        send(new MqttPublishMessage(header, new MqttPublishVariableHeader(topic, packetId), Unpooled.wrappedBuffer(payload)));
    }

    public void release(int packetId) throws IOException {
        send(new MqttMessage(new MqttFixedHeader(MqttMessageType.PUBREL, false, MqttQoS.AT_LEAST_ONCE, false, 0),
                io.netty.handler.codec.mqtt.MqttMessageIdVariableHeader.from(packetId)));
    }

    /** Writes bytes as they are, MQTT or not. */
    public synchronized void sendRaw(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    /** The next packet from the server, or an assertion error after the timeout. */
    public MqttMessage next(Duration timeout) throws InterruptedException {
        MqttMessage message = received.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (message == null) {
            throw new AssertionError("no MQTT packet within " + timeout.toMillis() + " ms");
        }
        return message;
    }

    /**
     * The reason code of the DISCONNECT the server sends next (MQTT 5), once it has also closed the connection; an
     * assertion error if the next packet is another, or the connection stays open.
     */
    public int disconnectReason(Duration timeout) throws InterruptedException {
        MqttMessage message = next(timeout);
        if (message.fixedHeader().messageType() != MqttMessageType.DISCONNECT) {
            throw new AssertionError("expected DISCONNECT, got " + message.fixedHeader().messageType());
        }
        if (!closedWithin(timeout)) {
            throw new AssertionError("the connection stayed open after DISCONNECT");
        }
        return ((MqttReasonCodeAndPropertiesVariableHeader) message.variableHeader()).reasonCode() & 0xff;
    }

    /** Whether the server closed the connection within the timeout. */
    public boolean closedWithin(Duration timeout) throws InterruptedException {
        return closed.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    private synchronized void send(MqttMessage message) throws IOException {
        encoder.writeOutbound(message);
        ByteBuf encoded = encoder.readOutbound();
        byte[] bytes = new byte[encoded.readableBytes()];
        encoded.readBytes(bytes);
        encoded.release();
        out.write(bytes);
        out.flush();
    }

    private void read() {
        EmbeddedChannel decoder = new EmbeddedChannel(new MqttDecoder());
        // The decoder reads MQTT 5 properties once it knows the protocol level, which it learns from a CONNECT.
        if (version == MqttVersion.MQTT_5) {
            decoder.attr(io.netty.util.AttributeKey.<MqttVersion>valueOf("NETTY_CODEC_MQTT_VERSION")).set(MqttVersion.MQTT_5);
        }
        try (InputStream in = socket.getInputStream()) {
            byte[] buffer = new byte[8192];
            for (int n; (n = in.read(buffer)) >= 0; ) {
                decoder.writeInbound(Unpooled.copiedBuffer(buffer, 0, n));
                for (MqttMessage message; (message = decoder.readInbound()) != null; ) {
                    received.add(message);
                }
            }
        } catch (IOException e) {
            // closed
        } finally {
            closed.countDown();
            decoder.finishAndReleaseAll();
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
        encoder.finishAndReleaseAll();
    }
}
