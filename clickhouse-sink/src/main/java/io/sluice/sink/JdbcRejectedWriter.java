package io.sluice.sink;

import io.sluice.clickhouse.ClickHouseEndpoint;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.sql.PreparedStatement;
import java.sql.SQLException;

import io.sluice.schemas.avro.DeadLetter;

/**
 * Writes dead letters into {@code sluice.rejected}: one row per rejected input, with its reason, so
 * that users can see what their devices sent wrong. The payload is stored as text (invalid UTF-8
 * replaced); the original bytes stay on the dead-letter topic.
 */
public final class JdbcRejectedWriter extends JdbcTableWriter<DeadLetter> {

    public JdbcRejectedWriter(ClickHouseEndpoint endpoint) {
        super(endpoint, "INSERT INTO sluice.rejected (received_at_ms, source, device_id, mqtt_topic, reason, detail, payload,"
                + " payload_size) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
    }

    @Override
    public String table() {
        return "rejected";
    }

    @Override
    int addRows(PreparedStatement insert, DeadLetter letter) throws SQLException {
        ByteBuffer payload = letter.getPayload().duplicate();
        byte[] bytes = new byte[payload.remaining()];
        payload.get(bytes);
        insert.setLong(1, letter.getReceivedAtMs());
        insert.setString(2, letter.getSource());
        insert.setString(3, letter.getDeviceId());
        insert.setString(4, letter.getMqttTopic());
        insert.setString(5, letter.getReason());
        insert.setString(6, letter.getDetail());
        insert.setString(7, new String(bytes, StandardCharsets.UTF_8));
        insert.setLong(8, letter.getPayloadSize());
        insert.addBatch();
        return 1;
    }


    @Override
    public long receivedAtMs(DeadLetter letter) {
        return letter.getReceivedAtMs();
    }

    @Override
    public String deviceIdOf(DeadLetter record) {
        return record.getDeviceId();
    }
}
