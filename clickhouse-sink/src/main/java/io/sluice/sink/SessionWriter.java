package io.sluice.sink;

import java.util.List;

import io.sluice.clickhouse.ClickHouseEndpoint;
import io.sluice.schemas.avro.DeviceSession;

/** Writes session events (connections opened, closed, refused) into {@code sluice.device_sessions}. */
public final class SessionWriter extends RowBinaryTableWriter<DeviceSession> {

    public SessionWriter(ClickHouseEndpoint endpoint) {
        super(endpoint, "sluice.device_sessions", List.of("ts_ms", "device_id", "client_id", "bridge_id", "event", "reason",
                "address", "transport", "protocol_version", "keep_alive_s", "connected_ms"));
    }

    @Override
    public String table() {
        return "device_sessions";
    }

    @Override
    int addRows(DeviceSession session) {
        int64(session.getTsMs());
        string(session.getDeviceId());
        string(session.getClientId());
        string(session.getBridgeId());
        string(session.getEvent());
        string(session.getReason());
        string(session.getAddress());
        string(session.getTransport());
        uint8(session.getProtocolVersion());
        uint16(session.getKeepAliveSeconds());
        int64(session.getConnectedMs());
        return 1;
    }

    @Override
    public long receivedAtMs(DeviceSession session) {
        return session.getTsMs();
    }

    @Override
    public String deviceIdOf(DeviceSession record) {
        return record.getDeviceId();
    }
}
