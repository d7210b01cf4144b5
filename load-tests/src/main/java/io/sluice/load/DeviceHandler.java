package io.sluice.load;

import java.util.concurrent.CompletableFuture;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler;
import io.netty.handler.codec.mqtt.MqttConnAckMessage;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageIdVariableHeader;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttQoS;

/** The MQTT side of one device's connection. */
final class DeviceHandler extends SimpleChannelInboundHandler<MqttMessage> {
    private final FleetDriver driver;
    private final SimulatedDevice device;
    private final CompletableFuture<Void> answered;

    DeviceHandler(FleetDriver driver, SimulatedDevice device, CompletableFuture<Void> answered) {
        this.driver = driver;
        this.device = device;
        this.answered = answered;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        if (driver.transport() == FleetOptions.Transport.TCP) {
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
        if (!answered.isDone() && device.refusal != SimulatedDevice.Refusal.IN_GRACE) {
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
