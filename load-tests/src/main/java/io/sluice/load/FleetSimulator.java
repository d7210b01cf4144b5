package io.sluice.load;

import java.lang.management.ManagementFactory;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.MessageToMessageCodec;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshakerFactory;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler;
import io.netty.handler.codec.http.websocketx.WebSocketVersion;
import io.netty.handler.codec.mqtt.MqttConnAckMessage;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttDecoder;
import io.netty.handler.codec.mqtt.MqttEncoder;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttMessageIdVariableHeader;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttPublishVariableHeader;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttVersion;

/**
 * A fleet of simulated devices, each its own MQTT 3.1.1 connection, client id and (optionally)
 * credentials, over TCP or WebSocket, publishing at the rate its {@link RateProfile} gives. Built on
 * Netty directly, so that the simulator costs little per message: each event loop owns its devices
 * (their channels are registered on it), builds payloads into a reused buffer, pipelines publishes
 * up to the in-flight limit and flushes once per device per tick; nothing is shared between threads
 * but counters. Every acknowledged sequence number (and its reading time) is kept per device, for
 * the loss check against ClickHouse. A device whose connection closes connects again, as real
 * devices do; its unacknowledged publishes count as errors. A fleet with credentials just written to
 * the bridges' file is given 10 s for them to be loaded: refusals meanwhile are retried, not counted.
 */
public final class FleetSimulator {

    private static final int LOOPS = 2;
    private static final long TICK_MS = 5;
    private static final long RECONNECT_DELAY_MS = 250;
    private static final long REFUSED_RETRY_MS = 5_000;
    private static final long GRACE_RETRY_MS = 300;
    /** How long refusals of a fleet with credentials count as "not reloaded yet" rather than as errors. */
    private static final long CREDENTIALS_GRACE_NANOS = TimeUnit.SECONDS.toNanos(10);

    /** Why a device's connection ended: not refused, refused while its credentials may still be loading, refused. */
    private enum Refusal { NONE, IN_GRACE, REFUSED }
    private static final int CONNECTS_AT_ONCE = 100;
    private static final int KEEP_ALIVE_SECONDS = 60;
    private static final long LATENCY_MAX_MICROS = TimeUnit.SECONDS.toMicros(120);

    private final FleetOptions options;
    private final List<LiveInjection.Planned> injections;
    private final Consumer<AckSample> ackTap;
    private final Recorder latency = new Recorder(LATENCY_MAX_MICROS, 3);
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong acked = new AtomicLong();
    private final AtomicLong errors = new AtomicLong();
    private final AtomicLong connected = new AtomicLong();
    private final Map<String, AtomicLong> refusals = new ConcurrentHashMap<>();
    private volatile long startNanos;

    private FleetSimulator(FleetOptions options, List<LiveInjection.Planned> injections, Consumer<AckSample> ackTap) {
        this.options = options;
        this.injections = injections;
        this.ackTap = ackTap;
    }

    /** What the fleet has done so far, for a live progress line. */
    public record Progress(double elapsedSeconds, double targetRate, long sent, long acked, long errors, long connections,
                           Histogram interval) {
    }

    /** An acknowledged publish, offered now and then for end-to-end sampling: when it was published (wall clock). */
    public record AckSample(String deviceId, long seq, long tsMs, long publishedAtMs) {
    }

    /** Runs the fleet for its duration, calling {@code progress} about once a second, and returns what it did. */
    public static FleetResult run(FleetOptions options, Consumer<Progress> progress) throws Exception {
        return run(options, List.of(), progress, sample -> { });
    }

    /**
     * Runs the fleet with anomalies injected as {@code injections} plan, offering every 256th
     * acknowledgement to {@code ackTap} (on an event loop: it must return at once).
     */
    public static FleetResult run(FleetOptions options, List<LiveInjection.Planned> injections, Consumer<Progress> progress,
                                  Consumer<AckSample> ackTap) throws Exception {
        return new FleetSimulator(options, injections, ackTap).run(progress);
    }

    private FleetResult run(Consumer<Progress> progress) throws Exception {
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(LOOPS, NioIoHandler.newFactory());
        Map<String, LiveInjection.Planned> injected = new HashMap<>();
        injections.forEach(planned -> injected.put(planned.deviceId, planned));
        try {
            List<Driver> drivers = new ArrayList<>();
            List<EventLoop> loops = new ArrayList<>();
            group.forEach(executor -> loops.add((EventLoop) executor));
            for (int k = 0; k < loops.size(); k++) {
                List<Device> mine = new ArrayList<>();
                for (int i = k; i < options.devices(); i += loops.size()) {
                    Device device = new Device(options.deviceId(i), i, options.inFlightPerDevice());
                    device.signal.injection = injected.get(device.id);
                    mine.add(device);
                }
                if (!mine.isEmpty()) {
                    drivers.add(new Driver(loops.get(k), mine, (double) mine.size() / options.devices()));
                }
            }
            refusalGraceUntil = options.fleetSecret() == null ? 0 : System.nanoTime() + CREDENTIALS_GRACE_NANOS;
            List<CompletableFuture<Void>> connecting = new ArrayList<>();
            for (Driver driver : drivers) {
                connecting.add(driver.connectAll());
            }
            CompletableFuture.allOf(connecting.toArray(CompletableFuture[]::new))
                    .get(60 + options.devices() / 50, TimeUnit.SECONDS);
            // The simulator's cost per message is taken while it publishes: start-up and connecting are not messages.
            long cpuBefore = processCpuNanos();
            long loopsCpuBefore = loopsCpuNanos(drivers);
            startNanos = System.nanoTime();
            Histogram total = new Histogram(LATENCY_MAX_MICROS, 3);
            List<CompletableFuture<Void>> finished = new ArrayList<>();
            for (Driver driver : drivers) {
                finished.add(driver.publishFor());
            }
            CompletableFuture<Void> all = CompletableFuture.allOf(finished.toArray(CompletableFuture[]::new));
            long deadline = startNanos + TimeUnit.SECONDS.toNanos(options.seconds() + 30L);
            List<FleetResult.Second> timeline = new ArrayList<>();
            long lastSent = 0;
            long lastAcked = 0;
            long lastErrors = 0;
            while (!all.isDone() && System.nanoTime() < deadline) {
                try {
                    all.get(1, TimeUnit.SECONDS);
                } catch (TimeoutException stillRunning) {
                    // a second has passed: report progress below
                }
                Histogram interval = latency.getIntervalHistogram();
                total.add(interval);
                double elapsed = seconds(System.nanoTime());
                double target = elapsed <= options.seconds() ? options.profile().rateAt(elapsed) : 0;
                long sentNow = sent.get();
                long ackedNow = acked.get();
                long errorsNow = errors.get();
                timeline.add(new FleetResult.Second(elapsed, target, sentNow - lastSent, ackedNow - lastAcked, errorsNow - lastErrors,
                        connected.get(), percentileMillis(interval, 50), percentileMillis(interval, 99),
                        percentileMillis(interval, 100)));
                lastSent = sentNow;
                lastAcked = ackedNow;
                lastErrors = errorsNow;
                progress.accept(new Progress(elapsed, target, sentNow, ackedNow, errorsNow, connected.get(), interval));
            }
            double elapsed = seconds(System.nanoTime());
            long cpu = processCpuNanos() - cpuBefore;
            long loopsCpu = loopsCpuNanos(drivers) - loopsCpuBefore;
            total.add(latency.getIntervalHistogram());
            Map<String, BitSet> ackedSeqs = new HashMap<>();
            Map<String, long[]> readingTimes = new HashMap<>();
            for (Driver driver : drivers) {
                driver.collect(ackedSeqs, readingTimes);
            }
            for (Driver driver : drivers) {
                driver.disconnectAll().get(30, TimeUnit.SECONDS);
            }
            Map<String, Long> refused = new HashMap<>();
            refusals.forEach((reason, count) -> refused.put(reason, count.get()));
            return new FleetResult(options, sent.get(), acked.get(), errors.get(), elapsed, total, ackedSeqs, readingTimes,
                    DeviceSignal.METRICS.length, cpu, loopsCpu, timeline, refused, connectedPeak);
        } finally {
            group.shutdownGracefully(0, 2, TimeUnit.SECONDS).await(10, TimeUnit.SECONDS);
        }
    }

    private volatile long connectedPeak;
    private volatile long refusalGraceUntil;

    private double seconds(long nanos) {
        return (nanos - startNanos) / 1e9;
    }

    private static double percentileMillis(Histogram histogram, double percentile) {
        return histogram.getTotalCount() == 0 ? 0 : histogram.getValueAtPercentile(percentile) / 1000.0;
    }

    /** The CPU time the event loops (the simulator's publishing work itself) have used, each read on its own thread. */
    private static long loopsCpuNanos(List<Driver> drivers) throws Exception {
        long total = 0;
        for (Driver driver : drivers) {
            total += driver.loop.submit(() -> ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime()).get(10, TimeUnit.SECONDS);
        }
        return total;
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    /** One device: its connection and what it has in flight. Touched only on its driver's event loop. */
    private static final class Device {
        final String id;
        final String topic;
        final DeviceSignal signal;
        final BitSet acked = new BitSet();
        /** Publishes awaiting their acknowledgement, oldest first (a ring): packet id, sequence number, start time. */
        final int[] pendingIds;
        final long[] pendingSeqs;
        final long[] pendingStarts;
        final long[] pendingTimes;
        int pendingHead;
        int inFlight;
        /** The time of every reading sent, by sequence number: kept only for SenML, whose readings are known by their time. */
        long[] readingTimes = new long[0];
        Channel channel;
        boolean connected;
        Refusal refusal = Refusal.NONE;
        /** What the connect phase waits on for this device, and which attempt is the current one. */
        CompletableFuture<Void> answer;
        int attempts;
        boolean dirty;
        int nextPacketId = 1;
        long nextSeq;
        long lastTsMs;
        long lastWriteNanos;

        Device(String id, int index, int inFlightLimit) {
            this.id = id;
            this.topic = "devices/" + id + "/telemetry";
            this.signal = new DeviceSignal(index);
            this.pendingIds = new int[inFlightLimit];
            this.pendingSeqs = new long[inFlightLimit];
            this.pendingStarts = new long[inFlightLimit];
            this.pendingTimes = new long[inFlightLimit];
        }

        void remember(long seq, long tsMs) {
            if (seq >= readingTimes.length) {
                readingTimes = java.util.Arrays.copyOf(readingTimes, (int) Math.max(seq + 1, Math.max(64, readingTimes.length * 2L)));
            }
            readingTimes[(int) seq] = tsMs;
        }
    }

    /** Drives a share of the devices on one event loop: connects them, paces their publishes, counts their answers. */
    private final class Driver {
        private final EventLoop loop;
        private final List<Device> devices;
        private final double share;
        private final MqttQoS qos;
        private final Bootstrap bootstrap;
        private final StringBuilder payload = new StringBuilder(256);
        private final List<Device> dirty = new ArrayList<>();
        private int keepAliveNext;
        private long sentHere;
        private int next;
        private boolean stopping;

        Driver(EventLoop loop, List<Device> devices, double share) {
            this.loop = loop;
            this.devices = devices;
            this.share = share;
            this.qos = MqttQoS.valueOf(options.qos());
            this.bootstrap = new Bootstrap().group(loop).channel(NioSocketChannel.class)
                    .option(ChannelOption.TCP_NODELAY, true)
                    .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 10_000);
        }

        CompletableFuture<Void> connectAll() {
            CompletableFuture<Void> done = new CompletableFuture<>();
            loop.execute(() -> connectFrom(0, done));
            return done;
        }

        /** Connects in windows, so that a large fleet does not flood the balancer's accept queue. */
        private void connectFrom(int first, CompletableFuture<Void> done) {
            if (first >= devices.size()) {
                done.complete(null);
                return;
            }
            int last = Math.min(devices.size(), first + CONNECTS_AT_ONCE);
            List<CompletableFuture<Void>> answers = new ArrayList<>();
            for (Device device : devices.subList(first, last)) {
                answers.add(connect(device));
            }
            CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new))
                    .whenComplete((ignored, error) -> loop.execute(() -> connectFrom(last, done)));
        }

        /** Opens the device's connection; completes when the CONNACK came (accepted or not) or the attempt failed. */
        private CompletableFuture<Void> connect(Device device) {
            // A retry after a refusal within the grace period answers the connect phase's wait for this device.
            CompletableFuture<Void> answered = device.answer != null && !device.answer.isDone() ? device.answer
                    : new CompletableFuture<>();
            device.answer = answered;
            int attempt = ++device.attempts;
            DeviceHandler handler = new DeviceHandler(this, device, answered);
            ChannelInitializer<SocketChannel> initializer = new ChannelInitializer<>() {
                @Override
                protected void initChannel(SocketChannel channel) {
                    ChannelPipeline pipeline = channel.pipeline();
                    if (options.transport() == FleetOptions.Transport.WEBSOCKET) {
                        URI uri = URI.create("ws://" + options.host() + ":" + options.port() + "/mqtt");
                        pipeline.addLast(new HttpClientCodec(), new HttpObjectAggregator(8192),
                                new WebSocketClientProtocolHandler(WebSocketClientHandshakerFactory.newHandshaker(uri,
                                        WebSocketVersion.V13, "mqtt", false, new DefaultHttpHeaders()), true),
                                new WebSocketFrames());
                    }
                    pipeline.addLast(new MqttDecoder(), MqttEncoder.INSTANCE, handler);
                }
            };
            bootstrap.clone().handler(initializer).connect(options.host(), options.port()).addListener(future -> {
                if (!future.isSuccess()) {
                    failed(device, "CONNECT_FAILED");
                    answered.complete(null);
                    closed(device, RECONNECT_DELAY_MS);
                }
            });
            loop.schedule(() -> {
                if (!answered.isDone() && device.attempts == attempt) {
                    failed(device, "CONNACK_TIMEOUT");
                    if (device.channel != null) {
                        device.channel.close();
                    }
                    answered.complete(null);
                }
            }, 15, TimeUnit.SECONDS);
            return answered;
        }

        void sendConnect(Device device, Channel channel) {
            device.channel = channel;
            MqttMessageBuilders.ConnectBuilder connect = MqttMessageBuilders.connect().clientId(device.id)
                    .protocolVersion(MqttVersion.MQTT_3_1_1).cleanSession(true).keepAlive(KEEP_ALIVE_SECONDS);
            if (options.fleetSecret() != null) {
                connect.hasUser(true).username(device.id).hasPassword(true)
                        .password(FleetCredentials.password(options.fleetSecret(), device.id).getBytes(StandardCharsets.UTF_8));
            }
            channel.writeAndFlush(connect.build());
            device.lastWriteNanos = System.nanoTime();
        }

        void connAck(Device device, MqttConnAckMessage ack, CompletableFuture<Void> answered) {
            MqttConnectReturnCode code = ack.variableHeader().connectReturnCode();
            if (code == MqttConnectReturnCode.CONNECTION_ACCEPTED) {
                device.connected = true;
                long now = connected.incrementAndGet();
                if (now > connectedPeak) {
                    connectedPeak = now;
                }
            } else if (System.nanoTime() < refusalGraceUntil) {
                // Just provisioned: the bridges may not have reloaded the credentials file yet. Ask again soon.
                device.refusal = Refusal.IN_GRACE;
                device.channel.close();
                return;
            } else {
                // refused (bad credentials, not authorized, too many connections): try again, but not at once
                failed(device, code.name());
                device.refusal = Refusal.REFUSED;
                device.channel.close();
            }
            answered.complete(null);
        }

        private void failed(Device device, String reason) {
            errors.incrementAndGet();
            refusals.computeIfAbsent(reason, r -> new AtomicLong()).incrementAndGet();
        }

        void closed(Device device) {
            closed(device, switch (device.refusal) {
                case NONE -> RECONNECT_DELAY_MS;
                case IN_GRACE -> GRACE_RETRY_MS;
                case REFUSED -> REFUSED_RETRY_MS;
            });
            device.refusal = Refusal.NONE;
        }

        void closed(Device device, long delayMs) {
            if (device.connected) {
                device.connected = false;
                connected.decrementAndGet();
            }
            errors.addAndGet(device.inFlight);
            device.inFlight = 0;
            device.channel = null;
            if (!stopping) {
                loop.schedule(() -> {
                    if (!stopping && device.channel == null) {
                        connect(device);
                    }
                }, delayMs + (long) (Math.random() * delayMs), TimeUnit.MILLISECONDS);
            }
        }

        CompletableFuture<Void> publishFor() {
            CompletableFuture<Void> done = new CompletableFuture<>();
            long endNanos = startNanos + TimeUnit.SECONDS.toNanos(options.seconds());
            loop.execute(() -> tick(endNanos, done));
            return done;
        }

        private void tick(long endNanos, CompletableFuture<Void> done) {
            long now = System.nanoTime();
            if (now < endNanos) {
                double t = seconds(now);
                long due = (long) (options.profile().due(t) * share) - sentHere;
                publishDue(due, t);
                keepAlive(now);
            } else if (devices.stream().allMatch(d -> d.inFlight == 0 || !d.connected)
                    || now > endNanos + TimeUnit.SECONDS.toNanos(20)) {
                done.complete(null);
                return;
            }
            loop.schedule(() -> tick(endNanos, done), TICK_MS, TimeUnit.MILLISECONDS);
        }

        private void publishDue(long due, double t) {
            int skipped = 0;
            long nowMs = System.currentTimeMillis();
            while (due > 0 && skipped < devices.size()) {
                Device device = devices.get(next);
                next = (next + 1) % devices.size();
                LiveInjection.Planned injection = device.signal.injection;
                if (!device.connected || device.inFlight >= device.pendingIds.length || !device.channel.isWritable()
                        || (injection != null && injection.silences(t, nowMs))) {
                    skipped++;
                    continue;
                }
                skipped = 0;
                int burst = (int) Math.min(Math.min(due, options.pipeline()), device.pendingIds.length - device.inFlight);
                for (int i = 0; i < burst; i++) {
                    publish(device, t, nowMs);
                }
                due -= burst;
            }
            for (Device device : dirty) {
                device.dirty = false;
                if (device.channel != null) {
                    device.channel.flush();
                }
            }
            dirty.clear();
        }

        private void publish(Device device, double t, long nowMs) {
            long seq = device.nextSeq++;
            // A reading's time is unique per device (SenML has no sequence number to tell two apart).
            long tsMs = Math.max(nowMs, device.lastTsMs + 1);
            device.lastTsMs = tsMs;
            if (options.format() == FleetOptions.PayloadFormat.SENML) {
                device.remember(seq, tsMs);
            }
            if (device.signal.injection != null) {
                device.signal.injection.before(seq, t, nowMs);
            }
            payload.setLength(0);
            device.signal.payload(payload, options.format(), device.id, tsMs, seq);
            ByteBuf body = device.channel.alloc().buffer(payload.length());
            ByteBufUtil.writeAscii(body, payload);
            int packetId = qos == MqttQoS.AT_MOST_ONCE ? 0 : nextPacketId(device);
            MqttPublishMessage message = new MqttPublishMessage(new MqttFixedHeader(MqttMessageType.PUBLISH, false, qos, false, 0),
                    new MqttPublishVariableHeader(device.topic, packetId), body);
            long startNanos = System.nanoTime();
            device.channel.write(message, device.channel.voidPromise());
            if (!device.dirty) {
                device.dirty = true;
                dirty.add(device);
            }
            device.lastWriteNanos = startNanos;
            sentHere++;
            sent.incrementAndGet();
            if (qos == MqttQoS.AT_MOST_ONCE) {
                // nothing comes back: written is all a QoS 0 publisher ever knows
                completed(device, seq, tsMs, startNanos);
                return;
            }
            int slot = (device.pendingHead + device.inFlight) % device.pendingIds.length;
            device.pendingIds[slot] = packetId;
            device.pendingSeqs[slot] = seq;
            device.pendingStarts[slot] = startNanos;
            device.pendingTimes[slot] = tsMs;
            device.inFlight++;
        }

        private int nextPacketId(Device device) {
            int id = device.nextPacketId;
            device.nextPacketId = id == 65_535 ? 1 : id + 1;
            return id;
        }

        /** PUBACK (QoS 1) or PUBCOMP (QoS 2) for {@code packetId}; the bridges answer in order, so it is nearly always the oldest. */
        void acknowledged(Device device, int packetId) {
            int capacity = device.pendingIds.length;
            for (int i = 0; i < device.inFlight; i++) {
                int slot = (device.pendingHead + i) % capacity;
                if (device.pendingIds[slot] == packetId) {
                    long seq = device.pendingSeqs[slot];
                    long startNanos = device.pendingStarts[slot];
                    long tsMs = device.pendingTimes[slot];
                    // close the gap: move the older entries one place up, then drop the head
                    for (int j = i; j > 0; j--) {
                        int to = (device.pendingHead + j) % capacity;
                        int from = (device.pendingHead + j - 1) % capacity;
                        device.pendingIds[to] = device.pendingIds[from];
                        device.pendingSeqs[to] = device.pendingSeqs[from];
                        device.pendingStarts[to] = device.pendingStarts[from];
                        device.pendingTimes[to] = device.pendingTimes[from];
                    }
                    device.pendingHead = (device.pendingHead + 1) % capacity;
                    device.inFlight--;
                    completed(device, seq, tsMs, startNanos);
                    return;
                }
            }
        }

        private void completed(Device device, long seq, long tsMs, long startNanos) {
            device.acked.set((int) seq);
            long count = acked.incrementAndGet();
            long micros = (System.nanoTime() - startNanos) / 1000;
            if (qos != MqttQoS.AT_MOST_ONCE) {
                latency.recordValue(Math.min(LATENCY_MAX_MICROS, micros));
            }
            if ((count & 255) == 0) {
                ackTap.accept(new AckSample(device.id, seq, tsMs, System.currentTimeMillis() - micros / 1000));
            }
        }

        private void keepAlive(long now) {
            long quiet = TimeUnit.SECONDS.toNanos(KEEP_ALIVE_SECONDS / 2);
            for (int i = 0; i < Math.min(20, devices.size()); i++) {
                keepAliveNext = (keepAliveNext + 1) % devices.size();
                Device device = devices.get(keepAliveNext);
                if (device.connected && now - device.lastWriteNanos > quiet) {
                    device.channel.writeAndFlush(new MqttMessage(new MqttFixedHeader(MqttMessageType.PINGREQ, false,
                            MqttQoS.AT_MOST_ONCE, false, 0)));
                    device.lastWriteNanos = now;
                }
            }
        }

        /** Every device's acknowledged sequence numbers and reading times, copied on the event loop. */
        void collect(Map<String, BitSet> ackedSeqs, Map<String, long[]> readingTimes) throws Exception {
            CompletableFuture<Void> copied = new CompletableFuture<>();
            loop.execute(() -> {
                synchronized (ackedSeqs) {
                    for (Device device : devices) {
                        ackedSeqs.put(device.id, (BitSet) device.acked.clone());
                        if (options.format() == FleetOptions.PayloadFormat.SENML) {
                            readingTimes.put(device.id, java.util.Arrays.copyOf(device.readingTimes, (int) device.nextSeq));
                        }
                    }
                }
                copied.complete(null);
            });
            copied.get(10, TimeUnit.SECONDS);
        }

        CompletableFuture<Void> disconnectAll() {
            CompletableFuture<Void> done = new CompletableFuture<>();
            loop.execute(() -> {
                stopping = true;
                List<CompletableFuture<Void>> closing = new ArrayList<>();
                for (Device device : devices) {
                    if (device.channel != null) {
                        CompletableFuture<Void> closed = new CompletableFuture<>();
                        Channel channel = device.channel;
                        if (device.connected) {
                            channel.writeAndFlush(new MqttMessage(new MqttFixedHeader(MqttMessageType.DISCONNECT, false,
                                    MqttQoS.AT_MOST_ONCE, false, 0)));
                        }
                        channel.close().addListener(f -> closed.complete(null));
                        closing.add(closed);
                    }
                }
                CompletableFuture.allOf(closing.toArray(CompletableFuture[]::new)).whenComplete((v, e) -> done.complete(null));
            });
            return done;
        }
    }

    /** The MQTT side of one device's connection. */
    private final class DeviceHandler extends SimpleChannelInboundHandler<MqttMessage> {
        private final Driver driver;
        private final Device device;
        private final CompletableFuture<Void> answered;

        DeviceHandler(Driver driver, Device device, CompletableFuture<Void> answered) {
            this.driver = driver;
            this.device = device;
            this.answered = answered;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            if (options.transport() == FleetOptions.Transport.TCP) {
                driver.sendConnect(device, ctx.channel());
            }
            ctx.fireChannelActive();
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
            if (event == WebSocketClientProtocolHandler.ClientHandshakeStateEvent.HANDSHAKE_COMPLETE) {
                driver.sendConnect(device, ctx.channel());
            }
            ctx.fireUserEventTriggered(event);
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, MqttMessage message) {
            if (message.decoderResult().isFailure()) {
                driver.failed(device, "UNDECODABLE_PACKET");
                ctx.close();
                return;
            }
            switch (message.fixedHeader().messageType()) {
                case CONNACK -> driver.connAck(device, (MqttConnAckMessage) message, answered);
                case PUBACK -> driver.acknowledged(device, ((MqttMessageIdVariableHeader) message.variableHeader()).messageId());
                case PUBREC -> {
                    int id = ((MqttMessageIdVariableHeader) message.variableHeader()).messageId();
                    ctx.writeAndFlush(new MqttMessage(new MqttFixedHeader(MqttMessageType.PUBREL, false, MqttQoS.AT_LEAST_ONCE,
                            false, 0), MqttMessageIdVariableHeader.from(id)));
                }
                case PUBCOMP -> driver.acknowledged(device, ((MqttMessageIdVariableHeader) message.variableHeader()).messageId());
                default -> {
                    // PINGRESP, and nothing else is expected by a device that subscribes to nothing
                }
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (!answered.isDone() && device.refusal != Refusal.IN_GRACE) {
                driver.failed(device, "CLOSED_BEFORE_CONNACK");
                answered.complete(null);
            }
            if (device.channel == ctx.channel() || device.channel == null) {
                driver.closed(device);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    /** MQTT over WebSocket: each MQTT packet's bytes travel in binary frames, both ways. */
    private static final class WebSocketFrames extends MessageToMessageCodec<BinaryWebSocketFrame, ByteBuf> {
        @Override
        protected void encode(ChannelHandlerContext ctx, ByteBuf bytes, List<Object> out) {
            out.add(new BinaryWebSocketFrame(bytes.retain()));
        }

        @Override
        protected void decode(ChannelHandlerContext ctx, BinaryWebSocketFrame frame, List<Object> out) {
            out.add(frame.content().retain());
        }
    }
}
