package io.sluice.sink;

import io.sluice.runtime.ServiceMain;

/** Runs one ClickHouse sink: {@code java -jar clickhouse-sink-all.jar [--config FILE] [--set key=value ...]}. */
public final class SinkMain {

    private SinkMain() {
    }

    public static void main(String[] args) {
        ServiceMain.run("clickhouse-sink", () -> ClickHouseSink.start(SinkConfig.load(args, System.getenv())));
    }
}
