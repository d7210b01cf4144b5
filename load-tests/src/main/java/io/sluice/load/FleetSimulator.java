package io.sluice.load;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

import io.netty.handler.codec.mqtt.MqttQoS;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.mqtt.MqttClient;
import io.vertx.mqtt.MqttClientOptions;

/**
 * A fleet of simulated devices, each its own MQTT connection and client id, publishing telemetry at a
 * paced total rate. Devices are split across a few event loops; each loop's driver owns its devices,
 * so nothing is shared between threads but counters. Every acknowledged sequence number is kept per
 * device, for the loss check against ClickHouse.
 */
public final class FleetSimulator {

    private static final int DRIVERS = 2;
    private static final long TICK_MS = 5;
    private static final long LATENCY_MAX_MICROS = TimeUnit.SECONDS.toMicros(120);

    private final FleetOptions options;
    private final Recorder latency = new Recorder(LATENCY_MAX_MICROS, 3);
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong acked = new AtomicLong();
    private final AtomicLong errors = new AtomicLong();
    private final AtomicLong connected = new AtomicLong();

    private FleetSimulator(FleetOptions options) {
        this.options = options;
    }

    /** What the fleet has done so far, for a live progress line. */
    public record Progress(double elapsedSeconds, long sent, long acked, long errors, long connections, Histogram interval) {
    }

    /** Runs the fleet for its duration, calling {@code progress} about once a second, and returns what it did. */
    public static FleetResult run(FleetOptions options, Consumer<Progress> progress) throws Exception {
        return new FleetSimulator(options).run(progress);
    }

    private FleetResult run(Consumer<Progress> progress) throws Exception {
        Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(DRIVERS));
        long cpuBefore = processCpuNanos();
        try {
            List<Driver> drivers = new ArrayList<>();
            for (int k = 0; k < DRIVERS; k++) {
                List<Integer> mine = new ArrayList<>();
                for (int i = k; i < options.devices(); i += DRIVERS) {
                    mine.add(i);
                }
                if (!mine.isEmpty()) {
                    drivers.add(new Driver(vertx, vertx.getOrCreateContext(), mine, (double) options.messagesPerSecond()
                            * mine.size() / options.devices()));
                }
            }
            for (Driver driver : drivers) {
                driver.connectAll().get(120, TimeUnit.SECONDS);
            }
            long start = System.nanoTime();
            Histogram total = new Histogram(LATENCY_MAX_MICROS, 3);
            List<CompletableFuture<Void>> finished = new ArrayList<>();
            for (Driver driver : drivers) {
                finished.add(driver.publishFor(start));
            }
            CompletableFuture<Void> all = CompletableFuture.allOf(finished.toArray(CompletableFuture[]::new));
            long deadline = start + TimeUnit.SECONDS.toNanos(options.seconds() + 30L);
            while (!all.isDone() && System.nanoTime() < deadline) {
                try {
                    all.get(1, TimeUnit.SECONDS);
                } catch (java.util.concurrent.TimeoutException stillRunning) {
                    // a second has passed: report progress below
                }
                Histogram interval = latency.getIntervalHistogram();
                total.add(interval);
                progress.accept(new Progress((System.nanoTime() - start) / 1e9, sent.get(), acked.get(), errors.get(),
                        connected.get(), interval));
            }
            double elapsed = (System.nanoTime() - start) / 1e9;
            total.add(latency.getIntervalHistogram());
            Map<String, BitSet> ackedSeqs = new HashMap<>();
            for (Driver driver : drivers) {
                ackedSeqs.putAll(driver.ackedSeqs());
                driver.disconnectAll().get(30, TimeUnit.SECONDS);
            }
            long cpu = processCpuNanos() - cpuBefore;
            return new FleetResult(options, sent.get(), acked.get(), errors.get(), elapsed, total, ackedSeqs,
                    DeviceSignal.METRICS.length, cpu);
        } finally {
            vertx.close().await(30, TimeUnit.SECONDS);
        }
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    /** One device: its connection and what it has in flight. Touched only on its driver's event loop. */
    private static final long RECONNECT_DELAY_MS = 250;

    private static final class Device {
        final String id;
        final String topic;
        final DeviceSignal signal;
        final BitSet acked = new BitSet();
        final Map<Integer, long[]> pending = new HashMap<>();
        final Set<Integer> earlyAcks = new HashSet<>();
        MqttClient client;
        /** Counts the device's connections: answers for an earlier one are stale (its packet ids are reused). */
        int generation;
        int inFlight;
        long nextSeq;

        Device(String id, int index) {
            this.id = id;
            this.topic = "devices/" + id + "/telemetry";
            this.signal = new DeviceSignal(index);
        }
    }

    /** Drives a share of the devices on one event loop. */
    private final class Driver {
        private final Vertx vertx;
        private final Context context;
        private final List<Device> devices = new ArrayList<>();
        private final double ratePerSecond;
        private final MqttQoS qos;
        private long sentHere;
        private int next;
        private volatile boolean stopping;

        Driver(Vertx vertx, Context context, List<Integer> indices, double ratePerSecond) {
            this.vertx = vertx;
            this.context = context;
            this.ratePerSecond = ratePerSecond;
            this.qos = MqttQoS.valueOf(options.qos());
            for (int index : indices) {
                devices.add(new Device(options.deviceId(index), index));
            }
        }

        CompletableFuture<Void> connectAll() {
            CompletableFuture<Void> done = new CompletableFuture<>();
            context.runOnContext(ignored -> connectFrom(0, done));
            return done;
        }

        /** Connects in windows of 100 so that a large fleet does not flood the balancer's accept queue. */
        private void connectFrom(int first, CompletableFuture<Void> done) {
            if (first >= devices.size()) {
                done.complete(null);
                return;
            }
            int last = Math.min(devices.size(), first + 100);
            List<io.vertx.core.Future<?>> connects = new ArrayList<>();
            for (Device device : devices.subList(first, last)) {
                connects.add(connect(device));
            }
            io.vertx.core.Future.join(connects).onComplete(ignored -> connectFrom(last, done));
        }

        private io.vertx.core.Future<?> connect(Device device) {
            device.client = MqttClient.create(vertx, new MqttClientOptions()
                    .setClientId(device.id)
                    .setCleanSession(true)
                    .setKeepAliveInterval(60)
                    .setMaxInflightQueue(options.inFlightPerDevice())
                    .setAutoKeepAlive(true));
            int generation = ++device.generation;
            device.pending.clear();
            device.earlyAcks.clear();
            device.client.publishCompletionHandler(id -> {
                if (device.generation == generation) {
                    acknowledged(device, id);
                }
            });
            device.client.closeHandler(ignored -> {
                connected.decrementAndGet();
                errors.addAndGet(device.pending.size());
                device.inFlight -= device.pending.size();
                device.pending.clear();
                device.earlyAcks.clear();
                device.generation++;
                reconnectLater(device);
            });
            return device.client.connect(options.port(), options.host())
                    .onSuccess(ack -> connected.incrementAndGet())
                    .onFailure(error -> {
                        errors.incrementAndGet();
                        reconnectLater(device);
                    });
        }

        /**
         * A device whose connection closed (a bridge restarting, draining, refusing) connects again
         * through the balancer, as real devices do; its unacknowledged publishes were counted as errors.
         */
        private void reconnectLater(Device device) {
            if (!stopping) {
                vertx.setTimer(RECONNECT_DELAY_MS, timer -> {
                    if (!stopping && (device.client == null || !device.client.isConnected())) {
                        connect(device);
                    }
                });
            }
        }

        CompletableFuture<Void> publishFor(long startNanos) {
            CompletableFuture<Void> done = new CompletableFuture<>();
            long endNanos = startNanos + TimeUnit.SECONDS.toNanos(options.seconds());
            context.runOnContext(ignored -> vertx.setPeriodic(TICK_MS, timer -> {
                long now = System.nanoTime();
                if (now < endNanos) {
                    long due = (long) (ratePerSecond * (now - startNanos) / 1e9) - sentHere;
                    publishDue(due);
                } else if (devices.stream().allMatch(d -> d.inFlight == 0 || !d.client.isConnected())
                        || now > endNanos + TimeUnit.SECONDS.toNanos(20)) {
                    vertx.cancelTimer(timer);
                    done.complete(null);
                }
            }));
            return done;
        }

        private void publishDue(long due) {
            int skipped = 0;
            while (due > 0 && skipped < devices.size()) {
                Device device = devices.get(next);
                next = (next + 1) % devices.size();
                if (device.client == null || !device.client.isConnected() || device.inFlight >= options.inFlightPerDevice()) {
                    skipped++;
                    continue;
                }
                skipped = 0;
                publish(device);
                due--;
            }
        }

        private void publish(Device device) {
            long seq = device.nextSeq++;
            long startNanos = System.nanoTime();
            String payload = device.signal.payload(System.currentTimeMillis(), seq);
            device.inFlight++;
            sentHere++;
            sent.incrementAndGet();
            int generation = device.generation;
            device.client.publish(device.topic, Buffer.buffer(payload), qos, false, false).onComplete(result -> {
                if (result.failed() || device.generation != generation) {
                    // failed, or its connection has closed since: no acknowledgement can come for it any more
                    device.inFlight--;
                    errors.incrementAndGet();
                } else if (qos == MqttQoS.AT_MOST_ONCE) {
                    device.inFlight--;
                    device.acked.set((int) seq);
                    acked.incrementAndGet();
                } else if (device.earlyAcks.remove(result.result())) {
                    complete(device, seq, startNanos);
                } else {
                    device.pending.put(result.result(), new long[] {seq, startNanos});
                }
            });
        }

        private void acknowledged(Device device, int messageId) {
            long[] pending = device.pending.remove(messageId);
            if (pending == null) {
                device.earlyAcks.add(messageId);
            } else {
                complete(device, pending[0], pending[1]);
            }
        }

        private void complete(Device device, long seq, long startNanos) {
            device.inFlight--;
            device.acked.set((int) seq);
            acked.incrementAndGet();
            latency.recordValue(Math.min(LATENCY_MAX_MICROS, (System.nanoTime() - startNanos) / 1000));
        }

        /** A copy of every device's acknowledged sequence numbers, taken on the driver's event loop. */
        Map<String, BitSet> ackedSeqs() throws Exception {
            CompletableFuture<Map<String, BitSet>> result = new CompletableFuture<>();
            context.runOnContext(ignored -> {
                Map<String, BitSet> seqs = new HashMap<>();
                for (Device device : devices) {
                    seqs.put(device.id, (BitSet) device.acked.clone());
                }
                result.complete(seqs);
            });
            return result.get(10, TimeUnit.SECONDS);
        }

        CompletableFuture<Void> disconnectAll() {
            CompletableFuture<Void> done = new CompletableFuture<>();
            stopping = true;
            context.runOnContext(ignored -> {
                List<io.vertx.core.Future<?>> closing = new ArrayList<>();
                for (Device device : devices) {
                    if (device.client != null && device.client.isConnected()) {
                        closing.add(device.client.disconnect());
                    }
                }
                io.vertx.core.Future.join(closing).onComplete(finished -> done.complete(null));
            });
            return done;
        }
    }

}
