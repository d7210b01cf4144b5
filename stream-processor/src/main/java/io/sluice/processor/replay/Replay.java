package io.sluice.processor.replay;

import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.KafkaStreams;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.sluice.processor.PartitionActivity;
import io.sluice.processor.ProcessorConfig;
import io.sluice.processor.TelemetryTopology;
import io.sluice.processor.anomaly.DetectionRules;
import io.sluice.runtime.KafkaTopicsBootstrap;
import io.sluice.schemas.kafka.Topics;

/**
 * {@code ./sluice replay --from T [--to T]}: rebuilds the rollups and anomalies of a time range from the raw
 * topic (and the session events), while live ingestion goes on. Raw readings need no replay: the sink writes
 * them from the raw topic itself, whose retention is the replay window.
 *
 * <p>It runs the very same topology as a Kafka Streams application of its own (a fresh application
 * id, fresh state), whose input offsets start at the first record at or after {@code from} and which
 * passes on only records written before {@code to} (default: now). Its outputs go to the same topics
 * the live processors write, so the sink stores them like any other; every table collapses a row it
 * already has (natural keys; the rollups keep the fuller window), so a replay fills what is missing,
 * rebuilds what changed (new rules), and running it twice changes nothing. Partial windows at the
 * range's edges lose to the complete ones already stored.
 */
public final class Replay {

    private static final Logger LOG = LoggerFactory.getLogger(Replay.class);

    /** What a replay did. */
    public record Outcome(long records, double seconds) {
    }

    private Replay() {
    }

    /** Replays the range; returns once every record in it is processed and its results committed. */
    public static Outcome run(String bootstrap, ReplayRange range, DetectionRules rules, Path stateDir, boolean terminal)
            throws InterruptedException, ExecutionException, TimeoutException {
        String applicationId = "sluice-replay-" + range.from().toEpochMilli() + "-" + range.to().toEpochMilli() + "-"
                + Long.toString(System.nanoTime() & 0xffffff, 36);
        long started = System.nanoTime();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000, AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 15_000))) {
            Map<TopicPartition, Long> start = new HashMap<>();
            Map<TopicPartition, Long> end = new HashMap<>();
            for (String topic : List.of(Topics.TELEMETRY_RAW.name(), Topics.DEVICE_SESSIONS.name())) {
                List<TopicPartition> partitions = partitions(admin, topic);
                Map<TopicPartition, Long> latest = offsets(admin, partitions, OffsetSpec.latest());
                Map<TopicPartition, Long> first = offsets(admin, partitions, OffsetSpec.forTimestamp(range.from().toEpochMilli()));
                Map<TopicPartition, Long> last = offsets(admin, partitions, OffsetSpec.forTimestamp(range.to().toEpochMilli()));
                for (TopicPartition partition : partitions) {
                    long from = first.get(partition) < 0 ? latest.get(partition) : first.get(partition);
                    long to = last.get(partition) < 0 ? latest.get(partition) : last.get(partition);
                    start.put(partition, from);
                    end.put(partition, Math.max(from, to));
                }
            }
            long total = end.entrySet().stream().mapToLong(e -> e.getValue() - start.get(e.getKey())).sum();
            System.out.printf(Locale.ROOT, "Replaying %s to %s: %,d records (raw telemetry and session events) from %d partitions%n",
                    range.from(), range.to(), total, start.size());
            if (total == 0) {
                System.out.println("Nothing was written in that range (or it is older than the raw topic's retention).");
                return new Outcome(0, 0);
            }
            // The replay's consumer group starts where the range starts.
            Map<TopicPartition, OffsetAndMetadata> startOffsets = new HashMap<>();
            start.forEach((partition, offset) -> startOffsets.put(partition, new OffsetAndMetadata(offset)));
            admin.alterConsumerGroupOffsets(applicationId, startOffsets).all().get(15, TimeUnit.SECONDS);

            ProcessorConfig config = new ProcessorConfig(Map.of(
                    ProcessorConfig.APPLICATION_ID, applicationId, ProcessorConfig.INSTANCE_ID, "replay",
                    ProcessorConfig.KAFKA_BOOTSTRAP_SERVERS, bootstrap,
                    ProcessorConfig.STATE_DIR, stateDir.resolve(applicationId).toString(),
                    ProcessorConfig.SILENCE_WALL_CLOCK, false, ProcessorConfig.STANDBY_REPLICAS, 0,
                    ProcessorConfig.IDLE_MS, 2_000L,
                    ProcessorConfig.REPLAY_FROM_MS, range.from().toEpochMilli(), ProcessorConfig.REPLAY_TO_MS, range.to().toEpochMilli()));
            KafkaTopicsBootstrap.ensure(bootstrap, Topics.newTopics(Topics.DEFAULT_PARTITIONS, (short) 1), 30_000);
            KafkaStreams streams = new KafkaStreams(TelemetryTopology.build(config, rules, PartitionActivity.unobserved()),
                    config.streamsProperties());
            streams.setUncaughtExceptionHandler(error -> {
                LOG.error("replay stream thread failed; replacing it", error);
                return org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
            });
            try {
                streams.start();
                follow(admin, applicationId, start, end, total, terminal);
                // The windows that ended inside the range close once the replay's partitions have been quiet for
                // the grace period (their time flows on from the data): wait for that, then commit on close.
                long settleMs = config.getLong(ProcessorConfig.WINDOW_GRACE_MS) + config.getLong(ProcessorConfig.IDLE_MS) + 3_000;
                System.out.printf(Locale.ROOT, "Closing the windows that ended in the range (%d s)...%n", settleMs / 1000);
                Thread.sleep(settleMs);
            } finally {
                // Leave the group on close, so that it can be deleted at once.
                streams.close(org.apache.kafka.streams.CloseOptions.timeout(Duration.ofSeconds(60)).withGroupMembershipOperation(
                        org.apache.kafka.streams.CloseOptions.GroupMembershipOperation.LEAVE_GROUP));
                deleteRecursively(stateDir.resolve(applicationId));
                cleanUp(admin, applicationId);
            }
            double seconds = (System.nanoTime() - started) / 1e9;
            System.out.printf(Locale.ROOT, "Replayed %,d records in %.1f s (%,.0f records/s). Running it again changes nothing.%n",
                    total, seconds, total / seconds);
            return new Outcome(total, seconds);
        }
    }

    /** Prints progress (a bar with rate and ETA) until the replay's committed offsets reach the end of the range. */
    private static void follow(Admin admin, String group, Map<TopicPartition, Long> start, Map<TopicPartition, Long> end, long total,
                               boolean terminal) throws InterruptedException, ExecutionException, TimeoutException {
        long began = System.nanoTime();
        long lastPrint = 0;
        long lastDone = -1;
        long lastProgressNanos = System.nanoTime();
        while (true) {
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata()
                    .get(15, TimeUnit.SECONDS);
            long done = 0;
            for (Map.Entry<TopicPartition, Long> partition : end.entrySet()) {
                OffsetAndMetadata at = committed.get(partition.getKey());
                long position = at == null ? start.get(partition.getKey()) : at.offset();
                done += Math.min(position, partition.getValue()) - start.get(partition.getKey());
            }
            double elapsed = (System.nanoTime() - began) / 1e9;
            double rate = done / Math.max(elapsed, 0.001);
            boolean finished = done >= total;
            if (terminal || finished || System.nanoTime() - lastPrint > 5_000_000_000L) {
                int width = 30;
                int filled = (int) (width * done / total);
                String line = String.format(Locale.ROOT, "[%s%s] %3d%% %,d/%,d records  %,.0f records/s  ETA %s",
                        "#".repeat(filled), "-".repeat(width - filled), 100 * done / total, done, total, rate,
                        rate > 0 ? Math.round((total - done) / rate) + " s" : "?");
                System.out.print(terminal ? "\r" + line + (finished ? "\n" : "") : line + "\n");
                System.out.flush();
                lastPrint = System.nanoTime();
            }
            if (finished) {
                return;
            }
            if (done != lastDone) {
                lastDone = done;
                lastProgressNanos = System.nanoTime();
            } else if (System.nanoTime() - lastProgressNanos > TimeUnit.SECONDS.toNanos(180)) {
                throw new IllegalStateException("no progress for 3 minutes at " + done + " of " + total + " records; is Kafka up?");
            }
            Thread.sleep(1000);
        }
    }

    /** Removes the replay's consumer group and internal topics: nothing is left behind for a user to delete. */
    private static void cleanUp(Admin admin, String applicationId) {
        try {
            admin.deleteConsumerGroups(List.of(applicationId)).all().get(30, TimeUnit.SECONDS);
            List<String> internal = new ArrayList<>();
            for (String topic : admin.listTopics().names().get(30, TimeUnit.SECONDS)) {
                if (topic.startsWith(applicationId + "-")) {
                    internal.add(topic);
                }
            }
            admin.deleteTopics(internal).all().get(30, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            LOG.warn("could not remove the replay's group and internal topics ({}): {}", applicationId, e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void deleteRecursively(Path dir) {
        try {
            io.sluice.runtime.Directories.deleteTree(dir);
        } catch (UncheckedIOException e) {
            LOG.warn("could not remove the replay's state directory {}: {}", dir, e.getCause().getMessage());
        }
    }

    private static List<TopicPartition> partitions(Admin admin, String topic)
            throws InterruptedException, ExecutionException, TimeoutException {
        int count = admin.describeTopics(List.of(topic)).allTopicNames().get(15, TimeUnit.SECONDS).get(topic).partitions().size();
        List<TopicPartition> partitions = new ArrayList<>();
        for (int p = 0; p < count; p++) {
            partitions.add(new TopicPartition(topic, p));
        }
        return partitions;
    }

    private static Map<TopicPartition, Long> offsets(Admin admin, List<TopicPartition> partitions, OffsetSpec spec)
            throws InterruptedException, ExecutionException, TimeoutException {
        Map<TopicPartition, OffsetSpec> request = new HashMap<>();
        partitions.forEach(p -> request.put(p, spec));
        Map<TopicPartition, Long> offsets = new HashMap<>();
        admin.listOffsets(request).all().get(15, TimeUnit.SECONDS).forEach((p, info) -> offsets.put(p, info.offset()));
        return offsets;
    }
}
