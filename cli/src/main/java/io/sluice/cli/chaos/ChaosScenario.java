package io.sluice.cli.chaos;

import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;

/**
 * The faults {@code ./sluice chaos} injects into the running native stack under load: each breaks something, stays
 * broken for a while (the outage, for ClickHouse and the network cut; a few seconds for a killed process, long enough
 * for the rest of the stack to notice), then heals it as an operator would.
 */
public enum ChaosScenario {

    BRIDGE_KILL("a bridge SIGKILLed: its devices reconnect to the other; started again after 5 s", false) {
        @Override
        void breakIt(Target target) {
            target.stack().kill("bridge-1");
        }
    },
    ROLLING_RESTART("both bridges restarted one at a time (./sluice restart bridges)", false) {
        @Override
        void breakIt(Target target) {
            target.stack().restartBridges();
        }

        @Override
        void heal(Target target) {
        }
    },
    PROCESSOR_KILL("a processor SIGKILLed: the other takes its partitions over; started again after 5 s", false) {
        @Override
        void breakIt(Target target) {
            target.stack().kill("processor-1");
        }
    },
    KAFKA_RESTART("the Kafka broker stopped (SIGTERM) and started again", false) {
        @Override
        void breakIt(Target target) {
            target.stack().stop("kafka");
        }
    },
    CLICKHOUSE_DOWN("ClickHouse stopped for the outage (default 60 s), then started again", true) {
        @Override
        void breakIt(Target target) {
            target.stack().stop("clickhouse");
        }
    },
    SINK_KILL("the ClickHouse sink SIGKILLed mid-batch; started again after 5 s", false) {
        @Override
        void breakIt(Target target) {
            target.stack().kill("sink-1");
        }
    },
    NETWORK_CUT("the devices' network cut (their veth down in a network namespace) for the outage, then healed", true) {
        @Override
        boolean needsDeviceNetwork() {
            return true;
        }

        @Override
        void breakIt(Target target) {
            target.network().cut();
        }

        @Override
        void heal(Target target) {
            target.network().heal();
        }
    },
    KAFKA_DISK_FULL("the disk under Kafka's log directory full for 20 s, then freed and the broker started again", false) {
        @Override
        boolean needsSmallKafkaDisk() {
            return true;
        }

        @Override
        public Duration down(Duration outage) {
            return FULL_FOR;
        }

        @Override
        void breakIt(Target target) {
            target.disk().fill();
        }

        @Override
        void heal(Target target) {
            target.disk().free();
            if (target.stack().running("kafka")) {
                target.stack().stop("kafka"); // a broker whose only log directory failed serves nothing until restarted
            }
            target.stack().up();
        }
    };

    /** What a fault acts on: the stack's processes and, for the network cut, the devices' network. */
    record Target(ChaosStack stack, DeviceNetwork network, SmallDisk disk) {
    }

    private static final Duration KILLED_FOR = Duration.ofSeconds(5);
    private static final Duration FULL_FOR = Duration.ofSeconds(20);

    private final String description;
    private final boolean takesOutage;

    ChaosScenario(String description, boolean takesOutage) {
        this.description = description;
        this.takesOutage = takesOutage;
    }

    /** The name a user types: {@code bridge-kill}. */
    public String label() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    public String description() {
        return description;
    }

    /** How long the fault lasts before {@link #heal}. */
    public Duration down(Duration outage) {
        return takesOutage ? outage : KILLED_FOR;
    }

    abstract void breakIt(Target target);

    /** Whether the devices reach HAProxy through a {@link DeviceNetwork} in this scenario. */
    boolean needsDeviceNetwork() {
        return false;
    }

    /** Whether Kafka runs on a {@link SmallDisk} in this scenario. */
    boolean needsSmallKafkaDisk() {
        return false;
    }

    /** Brings back what the fault took away: {@code ./sluice up} starts what is not running. */
    void heal(Target target) {
        target.stack().up();
    }

    public static ChaosScenario of(String label) {
        return Arrays.stream(values()).filter(s -> s.label().equals(label)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown scenario '" + label + "'; one of: "
                        + String.join(", ", Arrays.stream(values()).map(ChaosScenario::label).toList()) + ", or all"));
    }
}
