package io.sluice.processor.device;

import io.sluice.processor.TimeRange;

/**
 * How a device's state behaves and how far it may grow, as the topology resolved them from the processor's
 * settings.
 *
 * @param graceMs          how long after a minute ends (device time) its late readings still count
 * @param idleMs           a device quiet this long has its ended windows closed; a quiet partition's time flows on
 * @param ttlMs            a device quiet this long (partition time) is forgotten; a metric idle this long gives up its slot
 * @param maxMetrics       metric slots per device (at most 64)
 * @param maxEvents        events remembered per device to recognise retransmissions
 * @param maxDevices       devices with state per task
 * @param silenceWallClock whether silence may be judged on the wall clock while the partition is quiet (not in a replay)
 * @param replayRange      the Kafka timestamps processed (all of them, except in a replay)
 */
public record DeviceLimits(long graceMs, long idleMs, long ttlMs, int maxMetrics, int maxEvents, int maxDevices,
                           boolean silenceWallClock, TimeRange replayRange) {

    public DeviceLimits {
        if (maxMetrics < 1 || maxMetrics > 64) {
            throw new IllegalArgumentException("metrics per device must be 1 to 64, got " + maxMetrics);
        }
    }
}
