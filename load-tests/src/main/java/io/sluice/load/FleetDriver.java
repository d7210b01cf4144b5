package io.sluice.load;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObjectAggregator;
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
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttPublishVariableHeader;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttVersion;

/** Drives a share of a simulated fleet on one event loop: connects its devices, paces their publishes, counts their answers. */
final class FleetDriver {

    private static final long TICK_MS = 5;
    private static final long RECONNECT_DELAY_MS = 250;
    private static final long REFUSED_RETRY_MS = 5_000;
    private static final long GRACE_RETRY_MS = 300;
    private static final int CONNECTS_AT_ONCE = 100;
    private static final int KEEP_ALIVE_SECONDS = 60;

    private final FleetState state;
    private final FleetOptions options;
    final EventLoop loop;
    private final List<SimulatedDevice> devices;
    private final double share;
    private final MqttQoS qos;
    private final Bootstrap bootstrap;
    private final StringBuilder payload = new StringBuilder(256);
    private final List<SimulatedDevice> dirty = new ArrayList<>();
    private int keepAliveNext;
    private long sentHere;
    private int next;
    private boolean stopping;

    FleetDriver(FleetState state, EventLoop loop, List<SimulatedDevice> devices, double share) {
        this.state = state;
        this.options = state.options();
        this.loop = loop;
        this.devices = devices;
        this.share = share;
        this.qos = MqttQoS.valueOf(options.qos());
        this.bootstrap = new Bootstrap().group(loop).channel(NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 10_000);
    }

    FleetOptions.Transport transport() {
        return options.transport();
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
        for (SimulatedDevice device : devices.subList(first, last)) {
            answers.add(connect(device));
        }
        CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new))
                .whenComplete((ignored, error) -> loop.execute(() -> connectFrom(last, done)));
    }

    /** Opens the device's connection; completes when the CONNACK came (accepted or not) or the attempt failed. */
    private CompletableFuture<Void> connect(SimulatedDevice device) {
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

    void sendConnect(SimulatedDevice device, Channel channel) {
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

    void connAck(SimulatedDevice device, MqttConnAckMessage ack, CompletableFuture<Void> answered) {
        MqttConnectReturnCode code = ack.variableHeader().connectReturnCode();
        if (code == MqttConnectReturnCode.CONNECTION_ACCEPTED) {
            device.connected = true;
            long now = state.connected.incrementAndGet();
            if (now > state.connectedPeak) {
                state.connectedPeak = now;
            }
        } else if (System.nanoTime() < state.refusalGraceUntil) {
            // Just provisioned: the bridges may not have reloaded the credentials file yet. Ask again soon.
            device.refusal = SimulatedDevice.Refusal.IN_GRACE;
            device.channel.close();
            return;
        } else {
            // refused (bad credentials, not authorized, too many connections): try again, but not at once
            failed(device, code.name());
            device.refusal = SimulatedDevice.Refusal.REFUSED;
            device.channel.close();
        }
        answered.complete(null);
    }

    void failed(SimulatedDevice device, String reason) {
        state.errors.incrementAndGet();
        state.refusals.computeIfAbsent(reason, r -> new AtomicLong()).incrementAndGet();
    }

    void closed(SimulatedDevice device) {
        closed(device, switch (device.refusal) {
            case NONE -> RECONNECT_DELAY_MS;
            case IN_GRACE -> GRACE_RETRY_MS;
            case REFUSED -> REFUSED_RETRY_MS;
        });
        device.refusal = SimulatedDevice.Refusal.NONE;
    }

    void closed(SimulatedDevice device, long delayMs) {
        if (device.connected) {
            device.connected = false;
            state.connected.decrementAndGet();
        }
        state.errors.addAndGet(device.inFlight);
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
        long endNanos = state.startNanos + TimeUnit.SECONDS.toNanos(options.seconds());
        loop.execute(() -> tick(endNanos, done));
        return done;
    }

    private void tick(long endNanos, CompletableFuture<Void> done) {
        long now = System.nanoTime();
        if (now < endNanos) {
            double t = state.seconds(now);
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
            SimulatedDevice device = devices.get(next);
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
        for (SimulatedDevice device : dirty) {
            device.dirty = false;
            if (device.channel != null) {
                device.channel.flush();
            }
        }
        dirty.clear();
    }

    private void publish(SimulatedDevice device, double t, long nowMs) {
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
        state.sent.incrementAndGet();
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

    private int nextPacketId(SimulatedDevice device) {
        int id = device.nextPacketId;
        device.nextPacketId = id == 65_535 ? 1 : id + 1;
        return id;
    }

    /** PUBACK (QoS 1) or PUBCOMP (QoS 2) for {@code packetId}; the bridges answer in order, so it is nearly always the oldest. */
    void acknowledged(SimulatedDevice device, int packetId) {
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

    private void completed(SimulatedDevice device, long seq, long tsMs, long startNanos) {
        device.acked.set((int) seq);
        long count = state.acked.incrementAndGet();
        long micros = (System.nanoTime() - startNanos) / 1000;
        if (qos != MqttQoS.AT_MOST_ONCE) {
            state.latency.recordValue(Math.min(FleetState.LATENCY_MAX_MICROS, micros));
        }
        if ((count & 255) == 0) {
            state.ackTap.accept(new FleetSimulator.AckSample(device.id, seq, tsMs, System.currentTimeMillis() - micros / 1000));
        }
    }

    private void keepAlive(long now) {
        long quiet = TimeUnit.SECONDS.toNanos(KEEP_ALIVE_SECONDS / 2);
        for (int i = 0; i < Math.min(20, devices.size()); i++) {
            keepAliveNext = (keepAliveNext + 1) % devices.size();
            SimulatedDevice device = devices.get(keepAliveNext);
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
                for (SimulatedDevice device : devices) {
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
            for (SimulatedDevice device : devices) {
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
