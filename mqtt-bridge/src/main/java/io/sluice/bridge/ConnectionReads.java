package io.sluice.bridge;

import java.lang.reflect.Field;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.vertx.core.internal.net.NetSocketInternal;
import io.vertx.mqtt.MqttEndpoint;

/**
 * Stops and restarts reading from one device connection: the bridge's per-connection back-pressure.
 * While a connection is not read, its packets wait in the device's TCP send buffer and then in the
 * device itself, instead of in the bridge's heap.
 *
 * <p>vertx-mqtt 5.0.7 offers no {@code pause()} on {@code MqttEndpoint} (vert-x3/vertx-mqtt#6), so this
 * reaches the endpoint's socket and turns Netty's auto-read off and on. If a later vertx-mqtt changes
 * its internals, {@link #supported()} turns false (logged once at start-up) and the bridge falls back to
 * its other bounds: receive maximum, the in-flight bounds, and shedding QoS 0.
 */
final class ConnectionReads {

    private static final Logger LOG = LoggerFactory.getLogger(ConnectionReads.class);
    private static final Field SOCKET = socketField();

    private ConnectionReads() {
    }

    static boolean supported() {
        return SOCKET != null;
    }

    /** Turns reading on or off; a no-op when unsupported. Safe from any thread. */
    static void reading(MqttEndpoint endpoint, boolean on) {
        if (SOCKET == null) {
            return;
        }
        try {
            NetSocketInternal socket = (NetSocketInternal) SOCKET.get(endpoint);
            socket.channelHandlerContext().channel().config().setAutoRead(on);
        } catch (IllegalAccessException | ClassCastException e) {
            LOG.debug("cannot pause a connection: {}", e.toString());
        }
    }

    /**
     * Whether the device's socket is still open. Before CONNACK the endpoint cannot tell (it reports
     * "not connected" either way), and a device may hang up while its credentials are being checked.
     * True when unsupported: the connection is then treated as open, as before.
     */
    static boolean open(MqttEndpoint endpoint) {
        if (SOCKET == null) {
            return true;
        }
        try {
            return ((NetSocketInternal) SOCKET.get(endpoint)).channelHandlerContext().channel().isActive();
        } catch (IllegalAccessException | ClassCastException e) {
            return true;
        }
    }

    private static Field socketField() {
        try {
            Field field = Class.forName("io.vertx.mqtt.impl.MqttEndpointImpl").getDeclaredField("conn");
            if (!NetSocketInternal.class.isAssignableFrom(field.getType())) {
                throw new NoSuchFieldException("conn is a " + field.getType());
            }
            field.setAccessible(true);
            return field;
        } catch (ReflectiveOperationException | RuntimeException e) {
            LoggerFactory.getLogger(ConnectionReads.class).warn("per-connection read back-pressure unavailable with this"
                    + " vertx-mqtt ({}); relying on receive maximum and the in-flight bounds", e.toString());
            return null;
        }
    }
}
