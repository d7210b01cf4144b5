package io.sluice.processor.balance;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.apache.kafka.common.utils.Utils;

/**
 * How evenly work spreads over processor replicas, and what a skewed fleet does to it: pure arithmetic
 * on partition loads, used by {@code ./sluice balance} on live figures and by the skew model.
 *
 * <p>The imbalance figure is the busiest replica's load over the mean load: 1.0 is perfect; 1.5 means
 * the busiest replica does half again its fair share (and caps the whole group's throughput there).
 */
public final class PartitionBalance {

    private PartitionBalance() {
    }

    /** Busiest over mean; 1.0 for no load at all. */
    public static double imbalance(List<Double> loads) {
        double total = loads.stream().mapToDouble(Double::doubleValue).sum();
        if (loads.isEmpty() || total <= 0) {
            return 1.0;
        }
        double max = loads.stream().mapToDouble(Double::doubleValue).max().orElse(0);
        return max / (total / loads.size());
    }

    /** The partition Kafka's default partitioner gives a key (murmur2 of the UTF-8 bytes). */
    public static int partitionOf(String deviceId, int partitions) {
        return Utils.toPositive(Utils.murmur2(deviceId.getBytes(java.nio.charset.StandardCharsets.UTF_8))) % partitions;
    }

    /** Load per partition of a fleet: device id to its rate. */
    public static double[] partitionLoads(Map<String, Double> deviceRates, int partitions) {
        double[] loads = new double[partitions];
        deviceRates.forEach((device, rate) -> loads[partitionOf(device, partitions)] += rate);
        return loads;
    }

    /**
     * Partitions dealt out by count, as Kafka Streams' assignor does when every task weighs the same:
     * partition p to replica p mod n (each replica gets the floor or the ceiling of partitions / n).
     */
    public static List<Double> byCount(double[] partitionLoads, int replicas) {
        double[] loads = new double[replicas];
        for (int p = 0; p < partitionLoads.length; p++) {
            loads[p % replicas] += partitionLoads[p];
        }
        return toList(loads);
    }

    /**
     * Partitions dealt out by load (largest first, each to the least loaded replica): what a load-aware
     * assignor could reach while still moving whole partitions, so each device's order is kept.
     */
    public static List<Double> byLoad(double[] partitionLoads, int replicas) {
        List<Integer> order = new ArrayList<>();
        for (int p = 0; p < partitionLoads.length; p++) {
            order.add(p);
        }
        order.sort(Comparator.comparingDouble((Integer p) -> partitionLoads[p]).reversed());
        double[] loads = new double[replicas];
        for (int p : order) {
            int least = 0;
            for (int r = 1; r < replicas; r++) {
                if (loads[r] < loads[least]) {
                    least = r;
                }
            }
            loads[least] += partitionLoads[p];
        }
        return toList(loads);
    }

    /** A fleet of {@code devices} at one reading rate, the first {@code loud} of them {@code factor} times louder. */
    public static Map<String, Double> skewedFleet(int devices, int loud, double factor) {
        Map<String, Double> fleet = new TreeMap<>();
        for (int d = 0; d < devices; d++) {
            fleet.put(String.format("dev-%05d", d), d < loud ? factor : 1.0);
        }
        return fleet;
    }

    private static List<Double> toList(double[] values) {
        List<Double> list = new ArrayList<>();
        for (double value : values) {
            list.add(value);
        }
        return list;
    }
}
