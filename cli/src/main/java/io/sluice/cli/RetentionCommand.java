package io.sluice.cli;

import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;

import io.sluice.schemas.kafka.Topics;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code sluice retention raw DAYS}: how long the raw topic keeps telemetry, the window a replay can reach back into. */
@Command(name = "retention", header = "How long the raw topic keeps telemetry (the replay window)",
        description = {"How long the raw topic keeps telemetry: the window a replay (and a sink catching up)",
        "can reach back into. 7 days by default. Changed on the live topic."})
final class RetentionCommand implements Callable<Integer> {

    enum Topic { raw }

    @Parameters(index = "0", paramLabel = "raw", description = "the topic: raw (sluice.telemetry.raw)")
    Topic topic;

    @Parameters(index = "1", paramLabel = "DAYS", description = "whole days, at least 1")
    int days;

    @Mixin
    StackOptions stack;

    @Override
    public Integer call() throws Exception {
        if (days < 1 || days > 3650) {
            throw new UserError("DAYS must be a whole number of days from 1 to 3650, got " + days);
        }
        // Kafka's admin client refuses an API timeout shorter than its request timeout (30 s by default).
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafka,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000, AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 15_000))) {
            ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, Topics.TELEMETRY_RAW.name());
            admin.incrementalAlterConfigs(Map.of(resource, List.of(new AlterConfigOp(
                    new ConfigEntry(TopicConfig.RETENTION_MS_CONFIG, Long.toString(days * 86_400_000L)), AlterConfigOp.OpType.SET))))
                    .all().get(20, TimeUnit.SECONDS);
        }
        System.out.println(Topics.TELEMETRY_RAW.name() + " now keeps " + days + " day(s) of telemetry: replays can reach back that far.");
        return 0;
    }
}
