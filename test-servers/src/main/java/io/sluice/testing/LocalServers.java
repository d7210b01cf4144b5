package io.sluice.testing;

/** An in-process Kafka broker and a private clickhouse-server process (ClickHouse 18.16 here). */
public final class LocalServers implements PipelineServers {

    private final KafkaTestCluster kafka;
    private final ClickHouseTestServer clickHouse;

    private LocalServers(KafkaTestCluster kafka, ClickHouseTestServer clickHouse) {
        this.kafka = kafka;
        this.clickHouse = clickHouse;
    }

    public static LocalServers start() throws Exception {
        ClickHouseTestServer clickHouse = ClickHouseTestServer.start();
        try {
            return new LocalServers(KafkaTestCluster.start(), clickHouse);
        } catch (Exception e) {
            clickHouse.close();
            throw e;
        }
    }

    public ClickHouseTestServer clickHouse() {
        return clickHouse;
    }

    @Override
    public String kafkaBootstrapServers() {
        return kafka.bootstrapServers();
    }

    @Override
    public String clickHouseUrl() {
        return clickHouse.url();
    }

    @Override
    public String clickHouseUser() {
        return "default";
    }

    @Override
    public String clickHousePassword() {
        return "";
    }

    @Override
    public String description() {
        return "local servers (in-process Kafka, clickhouse-server process)";
    }

    @Override
    public void close() throws Exception {
        try {
            kafka.close();
        } finally {
            clickHouse.close();
        }
    }
}
