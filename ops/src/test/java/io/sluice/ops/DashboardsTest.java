package io.sluice.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** The dashboards' structure, without Grafana or Prometheus; DashboardsIT runs their queries. */
class DashboardsTest {

    @Test
    void everyDashboardIsWellFormedForGrafana() throws Exception {
        Map<String, List<Dashboards.Panel>> dashboards = Dashboards.load();
        int queries = dashboards.values().stream().mapToInt(List::size).sum();
        assertTrue(queries >= 30, "fleet ingest, the pipeline, ClickHouse writes and anomalies: " + queries + " queries");
    }

    @Test
    void thePanelsNameTheDataSourceGrafanaIsProvisionedWith() throws Exception {
        assertEquals(Dashboards.DATASOURCE_UID, Dashboards.provisionedDatasourceUid());
    }
}
