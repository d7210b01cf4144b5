package io.sluice.processor.balance;

import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

import io.sluice.schemas.kafka.Topics;

/**
 * What {@code ./sluice balance} measures: which processor replica holds each partition of the raw topic, each
 * partition's rate (records per second, measured over a sample) and lag, each replica's share, and the imbalance
 * figure: the busiest replica's load over the mean load. The skew model computes the same for a simulated fleet with
 * a few loud devices.
 */
public final class BalanceReport {

    private BalanceReport() {
    }

    public record PartitionRow(int partition, String replica, double ratePerSecond, long lag) {
    }

    /** What one sample found: every partition's owner, rate and lag, and the imbalance figures. */
    public record Balance(String group, String state, double sampleSeconds, List<PartitionRow> partitions, double imbalanceByRate,
                          double imbalanceByCount, double recordsPerSecond) {
    }

    /**
     * Samples the raw topic's end offsets for {@code sampleSeconds} and reads the group's assignment and offsets;
     * prints the tables to {@code out} and returns the figures.
     */
    public static Balance live(String bootstrap, String group, int sampleSeconds, PrintStream out)
            throws InterruptedException, ExecutionException, TimeoutException {
        String topic = Topics.TELEMETRY_RAW.name();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000, AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 15_000))) {
            int partitions = admin.describeTopics(List.of(topic)).allTopicNames().get(15, TimeUnit.SECONDS).get(topic).partitions().size();
            List<TopicPartition> all = new ArrayList<>();
            for (int p = 0; p < partitions; p++) {
                all.add(new TopicPartition(topic, p));
            }
            Map<TopicPartition, Long> endBefore = ends(admin, all);
            long startNanos = System.nanoTime();
            Thread.sleep(sampleSeconds * 1000L);
            Map<TopicPartition, Long> endAfter = ends(admin, all);
            double seconds = (System.nanoTime() - startNanos) / 1e9;
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata()
                    .get(15, TimeUnit.SECONDS);
            ConsumerGroupDescription description = admin.describeConsumerGroups(List.of(group)).describedGroups().get(group)
                    .get(15, TimeUnit.SECONDS);
            Map<Integer, String> owner = new TreeMap<>();
            Map<String, Integer> replicasSeen = new TreeMap<>();
            for (MemberDescription member : description.members()) {
                String replica = replicaName(member.clientId(), group);
                replicasSeen.merge(replica, 0, Integer::sum);
                for (TopicPartition partition : member.assignment().topicPartitions()) {
                    if (partition.topic().equals(topic)) {
                        owner.put(partition.partition(), replica);
                    }
                }
            }
            List<PartitionRow> rows = new ArrayList<>();
            for (TopicPartition partition : all) {
                OffsetAndMetadata done = committed.get(partition);
                long lag = endAfter.get(partition) - (done == null ? 0 : done.offset());
                rows.add(new PartitionRow(partition.partition(), owner.getOrDefault(partition.partition(), "(unassigned)"),
                        (endAfter.get(partition) - endBefore.get(partition)) / seconds, lag));
            }
            return print(group, description.groupState().toString(), seconds, rows, replicasSeen.keySet(), out);
        }
    }

    private static Map<TopicPartition, Long> ends(Admin admin, List<TopicPartition> partitions)
            throws InterruptedException, ExecutionException, TimeoutException {
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        partitions.forEach(p -> latest.put(p, OffsetSpec.latest()));
        Map<TopicPartition, Long> ends = new HashMap<>();
        admin.listOffsets(latest).all().get(15, TimeUnit.SECONDS).forEach((p, info) -> ends.put(p, info.offset()));
        return ends;
    }

    /** {@code <application.id>-<instance.id>-StreamThread-1-consumer} (Kafka Streams' naming) to the instance id. */
    static String replicaName(String clientId, String group) {
        String name = clientId;
        int thread = name.indexOf("-StreamThread-");
        if (thread >= 0) {
            name = name.substring(0, thread);
        }
        if (name.startsWith(group + "-")) {
            name = name.substring(group.length() + 1);
        }
        return name;
    }

    private static Balance print(String group, String state, double seconds, List<PartitionRow> rows, java.util.Set<String> replicas,
                                 PrintStream out) {
        out.printf(Locale.ROOT, "Consumer group %s (%s), rates measured over %.1f s%n%n", group, state, seconds);
        out.printf(Locale.ROOT, "%-10s %-22s %12s %10s%n", "PARTITION", "REPLICA", "RECORDS/S", "LAG");
        for (PartitionRow row : rows) {
            out.printf(Locale.ROOT, "%-10d %-22s %12.1f %10d%n", row.partition(), row.replica(), row.ratePerSecond(), row.lag());
        }
        Map<String, double[]> perReplica = new TreeMap<>();
        replicas.forEach(replica -> perReplica.put(replica, new double[3]));
        for (PartitionRow row : rows) {
            double[] figures = perReplica.computeIfAbsent(row.replica(), r -> new double[3]);
            figures[0]++;
            figures[1] += row.ratePerSecond();
            figures[2] += row.lag();
        }
        double total = rows.stream().mapToDouble(PartitionRow::ratePerSecond).sum();
        out.printf(Locale.ROOT, "%n%-22s %10s %12s %8s %10s%n", "REPLICA", "PARTITIONS", "RECORDS/S", "SHARE", "LAG");
        List<Double> loads = new ArrayList<>();
        List<Double> counts = new ArrayList<>();
        perReplica.forEach((replica, f) -> {
            out.printf(Locale.ROOT, "%-22s %10d %12.1f %7.1f%% %10d%n", replica, (int) f[0], f[1],
                    total > 0 ? 100 * f[1] / total : 0.0, (long) f[2]);
            if (!replica.equals("(unassigned)")) {
                loads.add(f[1]);
                counts.add(f[0]);
            }
        });
        double byRate = PartitionBalance.imbalance(loads);
        double byCount = PartitionBalance.imbalance(counts);
        out.printf(Locale.ROOT, "%nImbalance (busiest replica over the mean): %.2f by records/s, %.2f by partition count;"
                + " %d replicas, %.1f records/s in all%n", byRate, byCount, loads.size(), total);
        return new Balance(group, state, seconds, rows, byRate, byCount, total);
    }

    /** What a skewed fleet does to the balance, by count (Kafka Streams today) and by load (whole partitions moved). */
    public static void skewModel(int devices, int loud, double factor, int partitions, PrintStream out) {
        double[] loads = PartitionBalance.partitionLoads(PartitionBalance.skewedFleet(devices, loud, factor), partitions);
        out.printf(Locale.ROOT, "Skew model: %d devices, %d of them %.0f times louder, %d partitions (Kafka's murmur2"
                + " partitioner on the device id)%n%n", devices, loud, factor, partitions);
        out.printf(Locale.ROOT, "%-9s %22s %22s%n", "REPLICAS", "IMBALANCE BY COUNT", "IMBALANCE BY LOAD");
        for (int replicas = 1; replicas <= Math.min(6, partitions); replicas++) {
            out.printf(Locale.ROOT, "%-9d %22.2f %22.2f%n", replicas,
                    PartitionBalance.imbalance(PartitionBalance.byCount(loads, replicas)),
                    PartitionBalance.imbalance(PartitionBalance.byLoad(loads, replicas)));
        }
        double max = 0;
        double total = 0;
        for (double load : loads) {
            max = Math.max(max, load);
            total += load;
        }
        out.printf(Locale.ROOT, "%nBusiest partition: %.1f%% of the fleet's readings (a partition is never split, to keep"
                + " each device's order: no assignment beats that share).%n", 100 * max / total);
    }
}
