package io.sluice.bridge;

import java.util.Collection;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import io.vertx.mqtt.MqttEndpoint;

/**
 * The bridge's open device connections, across its event loops: by endpoint and by client id (a second connection
 * with the same client id takes the first over), the payload bytes all of them hold for Kafka, the connections
 * paused because the bridge is over its bound, and whether the bridge reads at all (not once it drains).
 */
final class ConnectionRegistry {

    private final Map<MqttEndpoint, DeviceConnection> byEndpoint = new ConcurrentHashMap<>();
    private final Map<String, DeviceConnection> byClientId = new ConcurrentHashMap<>();
    private final Set<DeviceConnection> pausedForBridge = ConcurrentHashMap.newKeySet();
    private final AtomicLong inFlightBytes = new AtomicLong();
    private final long maxInFlightBytes;
    private volatile boolean reading = true;

    ConnectionRegistry(long maxInFlightBytes) {
        this.maxInFlightBytes = maxInFlightBytes;
    }

    /** Registers an open connection; one of the same client id already open is taken over. */
    void register(DeviceConnection connection) {
        byEndpoint.put(connection.endpoint(), connection);
        DeviceConnection older = byClientId.put(connection.clientId(), connection);
        if (older != null) {
            older.takenOver();
        }
    }

    /** The open connection of a client id, if any. */
    DeviceConnection byClientId(String clientId) {
        return byClientId.get(clientId);
    }

    void remove(DeviceConnection connection) {
        byEndpoint.remove(connection.endpoint());
        byClientId.remove(connection.clientId(), connection);
        pausedForBridge.remove(connection);
    }

    int size() {
        return byEndpoint.size();
    }

    Collection<DeviceConnection> all() {
        return byEndpoint.values();
    }

    AtomicLong inFlightBytes() {
        return inFlightBytes;
    }

    boolean overBridgeBound() {
        return inFlightBytes.get() >= maxInFlightBytes;
    }

    boolean reading() {
        return reading;
    }

    /** From now on no connection is read: the bridge drains. */
    void stopReading() {
        reading = false;
    }

    void pausedForBridge(DeviceConnection connection) {
        pausedForBridge.add(connection);
    }

    /** When the bridge's bytes in flight fall under the bound, connections paused for it are read again. */
    void wakePausedForBridge() {
        if (pausedForBridge.isEmpty() || overBridgeBound()) {
            return;
        }
        for (DeviceConnection paused : pausedForBridge) {
            if (pausedForBridge.remove(paused)) {
                paused.onContext(paused::updateReading);
            }
        }
    }
}
