package io.sluice.sink;

import io.sluice.clickhouse.ClickHouseEndpoint;
import java.sql.PreparedStatement;
import java.sql.SQLException;

import io.sluice.schemas.avro.DeviceSession;

/** Writes session events into {@code sluice.device_sessions}: one row per connect, disconnect or refusal. */
public final class JdbcSessionWriter extends JdbcTableWriter<DeviceSession> {

    public JdbcSessionWriter(ClickHouseEndpoint endpoint) {
        super(endpoint, "INSERT INTO sluice.device_sessions (ts_ms, device_id, client_id, bridge_id, event, reason, address,"
                + " transport, protocol_version, keep_alive_s, connected_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    }

    @Override
    public String table() {
        return "device_sessions";
    }

    @Override
    int addRows(PreparedStatement insert, DeviceSession session) throws SQLException {
        insert.setLong(1, session.getTsMs());
        insert.setString(2, session.getDeviceId());
        insert.setString(3, session.getClientId());
        insert.setString(4, session.getBridgeId());
        insert.setString(5, session.getEvent());
        insert.setString(6, session.getReason());
        insert.setString(7, session.getAddress());
        insert.setString(8, session.getTransport());
        insert.setInt(9, session.getProtocolVersion());
        insert.setInt(10, session.getKeepAliveSeconds());
        insert.setLong(11, session.getConnectedMs());
        insert.addBatch();
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
