package io.sluice.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttVersion;
import io.sluice.bridge.auth.PasswordHash;
import io.sluice.clickhouse.ClickHouseEndpoint;
import io.sluice.clickhouse.ClickHouseQueries;
import io.sluice.load.FleetOptions;
import io.sluice.load.FleetRun;
import io.sluice.load.RateProfile;
import io.sluice.testing.Await;
import io.sluice.testing.ClickHouseTestServer;
import io.sluice.testing.FreePorts;
import io.sluice.testing.HaproxyTestServer;
import io.sluice.testing.KafkaBrokerProcess;
import io.sluice.testing.PrometheusTestServer;
import io.sluice.testing.RawMqttClient;
import io.sluice.testing.ServiceJar;

/**
 * The Grafana dashboards, without Grafana (it does not install here): each file's structure is checked, and every panel's
 * PromQL runs on a real Prometheus that scrapes a real, loaded stack with the native stack's configuration. Each must
 * return series. The series counts are printed (and written to target/dashboard-series.txt) for the operator's notes.
 */
class DashboardsIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void everyPanelsQueryReturnsSeriesFromALoadedStack(@TempDir Path dir) throws Exception {
        Map<String, List<Dashboards.Panel>> dashboards = Dashboards.load();
        Path logs = Files.createDirectories(dir.resolve("logs"));
        Path credentials = dir.resolve("credentials");
        Files.writeString(credentials, "# devices\n");
        List<AutoCloseable> running = new ArrayList<>();
        try (KafkaBrokerProcess kafka = KafkaBrokerProcess.start(); ClickHouseTestServer clickHouse = ClickHouseTestServer.start();
             PrometheusTestServer prometheus = PrometheusTestServer.start(dir.resolve("prometheus"))) {
            String bootstrap = "kafka.bootstrap.servers=" + kafka.bootstrapServers();
            ServiceJar sink = start(running, "clickhouse-sink", "sink-1", logs, List.of(bootstrap, "clickhouse.url=" + clickHouse.url(),
                    "instance.id=sink-1"));
            prometheus.target("sluice-sink", "sink-1", sink.opsPort());
            ServiceJar processor = start(running, "stream-processor", "processor-1", logs, List.of(bootstrap,
                    "instance.id=processor-1", "state.dir=" + dir.resolve("streams")));
            prometheus.target("sluice-processor", "processor-1", processor.opsPort());
            int mqtt = FreePorts.next();
            ServiceJar bridge = start(running, "mqtt-bridge", "bridge-1", logs, List.of(bootstrap, "bridge.id=bridge-1",
                    "mqtt.host=127.0.0.1", "mqtt.port=" + mqtt, "mqtt.ws.port=-1", "mqtt.proxy.protocol=true",
                    "auth.credentials.file=" + credentials, "auth.reload.interval.ms=500"));
            prometheus.target("sluice-bridge", "bridge-1", bridge.opsPort());
            HaproxyTestServer haproxy = HaproxyTestServer.start(List.of(new HaproxyTestServer.Backend("bridge-1", mqtt,
                    FreePorts.next(), bridge.opsPort())));
            running.add(haproxy);
            prometheus.target("haproxy", "haproxy", haproxy.metricsPort());

            refusedConnect(haproxy.mqttPort());
            FleetOptions fleet = new FleetOptions("127.0.0.1", haproxy.mqttPort(), 20, new RateProfile.Steady(200), 40, 1, 16,
                    "dash-" + System.currentTimeMillis() % 100_000, FleetOptions.Transport.TCP, FleetOptions.PayloadFormat.JSON,
                    PasswordHash.newSecret(), 4, 1);
            FleetRun.Outcome outcome = FleetRun.run(fleet, new ClickHouseQueries(new ClickHouseEndpoint(clickHouse.url(), "default", "")),
                    credentials, dir.resolve("reports"), Duration.ofSeconds(60), new PrintStream(System.out, true), progress -> { });
            assertEquals(0, outcome.check().lost(), "the loaded stack lost nothing");

            Map<Dashboards.Panel, Integer> series = new LinkedHashMap<>();
            Await.until("every panel's query to return series", Duration.ofSeconds(90), () -> {
                for (List<Dashboards.Panel> panels : dashboards.values()) {
                    for (Dashboards.Panel panel : panels) {
                        series.put(panel, seriesOf(prometheus.query(panel.expr())));
                    }
                }
                return series.values().stream().allMatch(count -> count > 0);
            });
            StringBuilder report = new StringBuilder();
            series.forEach((panel, count) -> report.append(String.format("%-20s | %-32s | %3d | %s%n", panel.dashboard(),
                    panel.title(), count, panel.expr())));
            System.out.print(report);
            Files.writeString(Path.of("target", "dashboard-series.txt"), report.toString());
            series.forEach((panel, count) -> assertTrue(count > 0, "no series for " + panel));
        } finally {
            for (int i = running.size() - 1; i >= 0; i--) {
                running.get(i).close();
            }
        }
    }

    /** A wrong password: the refusals panel and the authentication metrics get a series. */
    private static void refusedConnect(int port) throws Exception {
        try (RawMqttClient client = RawMqttClient.open("127.0.0.1", port, MqttVersion.MQTT_3_1_1)) {
            client.login("intruder-1", 30, "intruder-1", "not-the-password");
            assertFalse(client.connack(Duration.ofSeconds(10)).variableHeader().connectReturnCode()
                    == MqttConnectReturnCode.CONNECTION_ACCEPTED, "a wrong password is refused");
        }
    }

    private static ServiceJar start(List<AutoCloseable> running, String module, String name, Path logs, List<String> settings)
            throws IOException {
        ServiceJar service = ServiceJar.start(module, name, logs, "info", settings);
        running.add(service);
        return service;
    }

    private static int seriesOf(String answer) throws IOException {
        JsonNode body = JSON.readTree(answer);
        assertEquals("success", body.path("status").asText(), answer);
        return body.path("data").path("result").size();
    }
}
