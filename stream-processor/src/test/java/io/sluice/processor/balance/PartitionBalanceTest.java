package io.sluice.processor.balance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

class PartitionBalanceTest {

    @Test
    void imbalanceIsTheBusiestOverTheMean() {
        assertEquals(1.0, PartitionBalance.imbalance(List.of(5.0, 5.0, 5.0)));
        assertEquals(1.5, PartitionBalance.imbalance(List.of(6.0, 2.0)));
        assertEquals(1.0, PartitionBalance.imbalance(List.of(0.0, 0.0)), "no load is not imbalance");
    }

    @Test
    void twelvePartitionsDealtByCountGiveEveryReplicaItsShare() {
        double[] even = new double[12];
        java.util.Arrays.fill(even, 1.0);
        for (int replicas : new int[] {1, 2, 3, 4, 6}) {
            assertEquals(1.0, PartitionBalance.imbalance(PartitionBalance.byCount(even, replicas)), replicas + " replicas");
        }
        assertEquals(1.25, PartitionBalance.imbalance(PartitionBalance.byCount(even, 5)), 1e-9, "3 of 12 against a mean of 2.4");
    }

    @Test
    void dealingWholePartitionsByLoadBeatsDealingThemByCountOnASkewedFleet() {
        double[] loads = PartitionBalance.partitionLoads(PartitionBalance.skewedFleet(500, 5, 50), 12);
        assertEquals(500 - 5 + 5 * 50, java.util.Arrays.stream(loads).sum(), 1e-9, "every device's load lands in one partition");
        for (int replicas = 2; replicas <= 6; replicas++) {
            double byLoad = PartitionBalance.imbalance(PartitionBalance.byLoad(loads, replicas));
            double byCount = PartitionBalance.imbalance(PartitionBalance.byCount(loads, replicas));
            assertTrue(byLoad <= byCount + 1e-9, replicas + " replicas: by load " + byLoad + ", by count " + byCount);
        }
    }

    @Test
    void theModelUsesKafkasOwnPartitioner() {
        assertEquals(org.apache.kafka.common.utils.Utils.toPositive(org.apache.kafka.common.utils.Utils.murmur2("dev-1".getBytes())) % 12,
                PartitionBalance.partitionOf("dev-1", 12));
    }

    @Test
    void aReplicasNameComesFromItsStreamsClientId() {
        assertEquals("processor-3", BalanceReport.replicaName(
                "sluice-stream-processor-processor-3-StreamThread-1-consumer", "sluice-stream-processor"));
    }
}
