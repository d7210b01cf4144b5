package io.sluice.testing;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import io.sluice.schemas.avro.Anomaly;
import io.sluice.schemas.avro.DeadLetter;
import io.sluice.schemas.avro.DeviceSession;
import io.sluice.schemas.avro.TelemetryEvent;
import io.sluice.schemas.avro.TelemetryRollup;

/**
 * A small fleet's realistic data for every table the sink writes, the same on every call: {@code devices} devices
 * ({@code <prefix>-1}, {@code <prefix>-2}, ...) each sending the four metrics of the fleet simulator once a second for
 * {@code minutes} minutes from a whole minute, at millisecond times (each device a few hundred ms off the second), with
 * sequence numbers; MQTT retransmissions of some of those messages (the same natural key, received again later); the
 * minute and hour rollups the processors would make of them; anomalies, connection events and refusals. The tests that
 * hold it write it through the sink's writers, then compare what ClickHouse answers with what is computed here.
 */
public final class FleetSample {

    public static final List<String> METRICS = List.of("temperature", "humidity", "pressure", "battery");
    /** Every tenth message of each device is sent twice (QoS 1 retransmission). */
    public static final int RETRANSMIT_EVERY = 10;

    private final String prefix;
    private final long startMs;
    private final int devices;
    private final int minutes;

    public FleetSample(String prefix, long startMs, int devices, int minutes) {
        if (startMs % 60_000 != 0) {
            throw new IllegalArgumentException("the sample starts on a whole minute: " + startMs);
        }
        this.prefix = prefix;
        this.startMs = startMs;
        this.devices = devices;
        this.minutes = minutes;
    }

    /** A sample whose last minute ends one to two minutes before now: inside every report's and query's last hour. */
    public static FleetSample endingNow(String prefix, int devices, int minutes) {
        long thisMinute = System.currentTimeMillis() / 60_000 * 60_000;
        return new FleetSample(prefix, thisMinute - (minutes + 1) * 60_000L, devices, minutes);
    }

    public String device(int index) {
        return prefix + "-" + (index + 1);
    }

    public List<String> devices() {
        List<String> ids = new ArrayList<>();
        for (int d = 0; d < devices; d++) {
            ids.add(device(d));
        }
        return ids;
    }

    public long startMs() {
        return startMs;
    }

    public long endMs() {
        return startMs + minutes * 60_000L;
    }

    public int seconds() {
        return minutes * 60;
    }

    /** Distinct readings (natural keys): what every FINAL count must come to. */
    public long readings() {
        return (long) devices * seconds() * METRICS.size();
    }

    /** The time of device {@code d}'s {@code s}-th message: its second plus a few hundred milliseconds, never whole. */
    public long tsMs(int d, int s) {
        return startMs + s * 1000L + 137 + (d * 211L + s * 7L) % 600;
    }

    /** The value of a metric, rounded as a payload carries it: smooth daily-cycle signals, a little noise, a draining battery. */
    public static double value(String metric, int d, int s) {
        double noise = ((d * 7919L + s * 104_729L) % 1000) / 1000.0 - 0.5;
        double phase = 2 * Math.PI * s / 900.0 + d;
        double raw = switch (metric) {
            case "temperature" -> 21 + 3 * Math.sin(phase) + 0.2 * noise;
            case "humidity" -> 45 + 8 * Math.cos(phase) + noise;
            case "pressure" -> 1013.25 + 2 * Math.sin(phase / 3) + 0.1 * noise;
            case "battery" -> 100 - d * 3.5 - s * 0.002;
            default -> throw new IllegalArgumentException(metric);
        };
        return Math.round(raw * 100) / 100.0;
    }

    public TelemetryEvent event(int d, int s) {
        Map<String, Double> metrics = new LinkedHashMap<>();
        for (String metric : METRICS) {
            metrics.put(metric, value(metric, d, s));
        }
        long ts = tsMs(d, s);
        return TelemetryEvent.newBuilder().setDeviceId(device(d)).setTsMs(ts).setSeq((long) s).setReceivedAtMs(ts + 25 + s % 40)
                .setMetrics(metrics).build();
    }

    /** One message a second from every device, in the order they arrive (second by second). */
    public List<TelemetryEvent> events() {
        List<TelemetryEvent> events = new ArrayList<>();
        for (int s = 0; s < seconds(); s++) {
            for (int d = 0; d < devices; d++) {
                events.add(event(d, s));
            }
        }
        return events;
    }

    /** Every {@link #RETRANSMIT_EVERY}-th message again, received 2 s after the first copy: the same key, the same values. */
    public List<TelemetryEvent> retransmissions() {
        List<TelemetryEvent> again = new ArrayList<>();
        for (int s = 0; s < seconds(); s += RETRANSMIT_EVERY) {
            for (int d = 0; d < devices; d++) {
                TelemetryEvent first = event(d, s);
                again.add(TelemetryEvent.newBuilder(first).setReceivedAtMs(first.getReceivedAtMs() + 2_000).build());
            }
        }
        return again;
    }

    /** The rollups of {@link #events()} over tumbling windows of {@code windowMs}, as the processors close them. */
    public List<TelemetryRollup> rollups(long windowMs) {
        Map<String, TelemetryRollup.Builder> windows = new TreeMap<>();
        for (int d = 0; d < devices; d++) {
            for (int s = 0; s < seconds(); s++) {
                TelemetryEvent event = event(d, s);
                long window = event.getTsMs() / windowMs * windowMs;
                for (Map.Entry<String, Double> reading : event.getMetrics().entrySet()) {
                    double v = reading.getValue();
                    String key = String.format("%s|%s|%015d", event.getDeviceId(), reading.getKey(), window);
                    TelemetryRollup.Builder r = windows.get(key);
                    if (r == null) {
                        windows.put(key, TelemetryRollup.newBuilder().setDeviceId(event.getDeviceId()).setMetric(reading.getKey())
                                .setWindowStartMs(window).setWindowMs(windowMs).setCount(1).setSum(v).setSumSquares(v * v).setMin(v)
                                .setMax(v).setFirst(v).setFirstTsMs(event.getTsMs()).setLast(v).setLastTsMs(event.getTsMs())
                                .setMaxReceivedAtMs(event.getReceivedAtMs()));
                    } else {
                        r.setCount(r.getCount() + 1).setSum(r.getSum() + v).setSumSquares(r.getSumSquares() + v * v)
                                .setMin(Math.min(r.getMin(), v)).setMax(Math.max(r.getMax(), v)).setLast(v).setLastTsMs(event.getTsMs())
                                .setMaxReceivedAtMs(Math.max(r.getMaxReceivedAtMs(), event.getReceivedAtMs()));
                    }
                }
            }
        }
        return windows.values().stream().map(TelemetryRollup.Builder::build).toList();
    }

    /**
     * Two anomalies per device, raised by the processors' detectors: a temperature z-score in the first minute and a
     * stuck battery in the last.
     */
    public List<Anomaly> anomalies() {
        return anomalies(false);
    }

    /** The stuck batteries raised again later, as a processor restarting mid-episode does: the same key, one row in FINAL. */
    public List<Anomaly> anomalyRepeats() {
        return anomalies(true);
    }

    private List<Anomaly> anomalies(boolean repeats) {
        List<Anomaly> anomalies = new ArrayList<>();
        for (int d = 0; d < devices; d++) {
            long early = tsMs(d, 30);
            long late = tsMs(d, seconds() - 20);
            Anomaly zscore = Anomaly.newBuilder().setDeviceId(device(d)).setMetric("temperature").setTsMs(early)
                    .setValue(value("temperature", d, 30) + 9).setExpected(value("temperature", d, 30)).setScore(4.5 + d / 10.0)
                    .setDetector("ZSCORE").setSeverity(d == 0 ? "CRITICAL" : "WARNING")
                    .setDetail("4.5 standard deviations above the rolling mean").setDetectedAtMs(early + 120)
                    .setReceivedAtMs(early + 40).build();
            Anomaly stuck = Anomaly.newBuilder().setDeviceId(device(d)).setMetric("battery").setTsMs(late)
                    .setValue(value("battery", d, seconds() - 20)).setExpected(value("battery", d, seconds() - 20)).setScore(40)
                    .setDetector("STUCK").setSeverity("INFO").setDetail("the same value for 40 readings").setDetectedAtMs(late + 90)
                    .setReceivedAtMs(late + 35).build();
            if (repeats) {
                anomalies.add(Anomaly.newBuilder(stuck).setDetectedAtMs(late + 5_000).build());
            } else {
                anomalies.add(zscore);
                anomalies.add(stuck);
            }
        }
        return anomalies;
    }

    /**
     * Each device connects just before the sample starts; the first loses its connection half-way (keep-alive timeout)
     * and connects again; the last disconnects normally at the end; a stranger is refused twice with bad credentials.
     */
    public List<DeviceSession> sessions() {
        List<DeviceSession> sessions = new ArrayList<>();
        for (int d = 0; d < devices; d++) {
            sessions.add(session(d, "CONNECTED", "NORMAL", startMs - 3_000 + d, 0));
        }
        long half = startMs + seconds() * 500L;
        sessions.add(session(0, "DISCONNECTED", "KEEP_ALIVE_TIMEOUT", half, half - startMs + 3_000));
        sessions.add(session(0, "CONNECTED", "NORMAL", half + 4_000, 0));
        sessions.add(session(devices - 1, "DISCONNECTED", "NORMAL", endMs() + 500, endMs() + 500 - startMs + 3_000 - (devices - 1)));
        for (int attempt = 0; attempt < 2; attempt++) {
            sessions.add(DeviceSession.newBuilder().setDeviceId(prefix + "-stranger").setClientId(prefix + "-stranger")
                    .setBridgeId("bridge-2").setEvent("REFUSED").setReason("BAD_CREDENTIALS").setAddress("203.0.113.9:5" + attempt + "120")
                    .setTransport("tls").setProtocolVersion(5).setKeepAliveSeconds(30).setTsMs(startMs + 10_000 + attempt * 1_000L)
                    .setConnectedMs(0).build());
        }
        return sessions;
    }

    private DeviceSession session(int d, String event, String reason, long tsMs, long connectedMs) {
        return DeviceSession.newBuilder().setDeviceId(device(d)).setClientId(device(d)).setBridgeId(d % 2 == 0 ? "bridge-1" : "bridge-2")
                .setEvent(event).setReason(reason).setAddress("10.0.4." + (d + 10) + ":4" + (1000 + d)).setTransport("tcp")
                .setProtocolVersion(d % 2 == 0 ? 5 : 4).setKeepAliveSeconds(60).setTsMs(tsMs).setConnectedMs(connectedMs).build();
    }

    /** Refusals: three by the bridges (not JSON, a bad metric value, a timestamp in 1970), one by the processors. */
    public List<DeadLetter> deadLetters() {
        long at = startMs + 42_123;
        return List.of(
                deadLetter("mqtt-bridge", device(0), "NOT_JSON", "Unexpected character ('t' (code 116)): was expecting double-quote",
                        "{temp: 21.5, \"ts\": 1}", at),
                deadLetter("mqtt-bridge", device(devices - 1), "BAD_METRIC_VALUE", "metric 'température' is not a finite number",
                        "{\"ts\":" + at + ",\"metrics\":{\"température\":\"NaN\"}}", at + 1_001),
                deadLetter("mqtt-bridge", device(devices - 1), "TIMESTAMP_OUT_OF_RANGE", "ts 1000 is more than 30 days in the past",
                        "{\"ts\":1000,\"metrics\":{\"humidity\":40.5}}", at + 2_002),
                deadLetter("stream-processor", "", "UNDECODABLE_RECORD", "sluice.telemetry.raw partition 3 offset 1234",
                        "\u0000\u0001not avro\tat all", at + 3_003));
    }

    private DeadLetter deadLetter(String source, String device, String reason, String detail, String payload, long receivedAtMs) {
        byte[] bytes = payload.getBytes(StandardCharsets.UTF_8);
        return DeadLetter.newBuilder().setDeviceId(device).setSource(source)
                .setMqttTopic(device.isEmpty() ? "" : "devices/" + device + "/telemetry").setReason(reason).setDetail(detail)
                .setPayload(ByteBuffer.wrap(bytes)).setPayloadSize(bytes.length).setReceivedAtMs(receivedAtMs).build();
    }
}
