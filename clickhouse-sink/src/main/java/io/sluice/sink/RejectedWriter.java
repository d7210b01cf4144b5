package io.sluice.sink;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;

import io.sluice.clickhouse.ClickHouseEndpoint;
import io.sluice.schemas.avro.DeadLetter;

/** Writes dead letters into {@code sluice.rejected}: what was refused, where from, and why. */
public final class RejectedWriter extends RowBinaryTableWriter<DeadLetter> {

    public RejectedWriter(ClickHouseEndpoint endpoint) {
        super(endpoint, "sluice.rejected", List.of("received_at_ms", "source", "device_id", "mqtt_topic", "reason", "detail",
                "payload", "payload_size"));
    }

    @Override
    public String table() {
        return "rejected";
    }

    @Override
    int addRows(DeadLetter letter) {
        ByteBuffer payload = letter.getPayload().duplicate();
        byte[] bytes = new byte[payload.remaining()];
        payload.get(bytes);
        int64(letter.getReceivedAtMs());
        string(letter.getSource());
        string(letter.getDeviceId());
        string(letter.getMqttTopic());
        string(letter.getReason());
        string(letter.getDetail());
        // As text, as it always was: bytes that are not UTF-8 become U+FFFD, so that every payload reads back as a string.
        string(new String(bytes, StandardCharsets.UTF_8));
        uint32(letter.getPayloadSize());
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
