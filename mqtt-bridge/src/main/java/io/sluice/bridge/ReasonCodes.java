package io.sluice.bridge;

import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.vertx.mqtt.messages.codes.MqttPubAckReasonCode;
import io.sluice.schemas.mqtt.PayloadRejection;

/**
 * What a device is told, in MQTT's own codes: the CONNACK code of a refused connection (MQTT 5's reason code, or the
 * nearest MQTT 3.1.1 return code), and the PUBACK/PUBREC reason code of a publish by its outcome.
 */
final class ReasonCodes {

    private ReasonCodes() {
    }

    static MqttConnectReturnCode connack(SessionReason reason, boolean mqtt5) {
        return switch (reason) {
            case SERVER_DRAINING -> mqtt5 ? MqttConnectReturnCode.CONNECTION_REFUSED_USE_ANOTHER_SERVER
                    : MqttConnectReturnCode.CONNECTION_REFUSED_SERVER_UNAVAILABLE;
            case INVALID_CLIENT_ID -> mqtt5 ? MqttConnectReturnCode.CONNECTION_REFUSED_CLIENT_IDENTIFIER_NOT_VALID
                    : MqttConnectReturnCode.CONNECTION_REFUSED_IDENTIFIER_REJECTED;
            case BANNED_ADDRESS -> mqtt5 ? MqttConnectReturnCode.CONNECTION_REFUSED_BANNED
                    : MqttConnectReturnCode.CONNECTION_REFUSED_NOT_AUTHORIZED;
            case TOO_MANY_CONNECTIONS, SERVER_BUSY -> mqtt5 ? MqttConnectReturnCode.CONNECTION_REFUSED_SERVER_BUSY
                    : MqttConnectReturnCode.CONNECTION_REFUSED_SERVER_UNAVAILABLE;
            case CONNECTION_RATE_EXCEEDED, TOO_MANY_FAILED_LOGINS -> mqtt5 ? MqttConnectReturnCode.CONNECTION_REFUSED_CONNECTION_RATE_EXCEEDED
                    : MqttConnectReturnCode.CONNECTION_REFUSED_SERVER_UNAVAILABLE;
            case BAD_CREDENTIALS -> mqtt5 ? MqttConnectReturnCode.CONNECTION_REFUSED_BAD_USERNAME_OR_PASSWORD
                    : MqttConnectReturnCode.CONNECTION_REFUSED_BAD_USER_NAME_OR_PASSWORD;
            case NOT_AUTHORIZED -> mqtt5 ? MqttConnectReturnCode.CONNECTION_REFUSED_NOT_AUTHORIZED_5
                    : MqttConnectReturnCode.CONNECTION_REFUSED_NOT_AUTHORIZED;
            default -> mqtt5 ? MqttConnectReturnCode.CONNECTION_REFUSED_UNSPECIFIED_ERROR
                    : MqttConnectReturnCode.CONNECTION_REFUSED_SERVER_UNAVAILABLE;
        };
    }

    static MqttPubAckReasonCode pubAck(IngestOutcome outcome) {
        if (outcome instanceof IngestOutcome.Accepted) {
            return MqttPubAckReasonCode.SUCCESS;
        }
        if (outcome instanceof IngestOutcome.DeadLettered rejected) {
            if (rejected.reason() == PayloadRejection.TOPIC_OUTSIDE_LAYOUT) {
                return MqttPubAckReasonCode.TOPIC_NAME_INVALID;
            }
            return rejected.reason() == PayloadRejection.NOT_AUTHORIZED ? MqttPubAckReasonCode.NOT_AUTHORIZED
                    : MqttPubAckReasonCode.PAYLOAD_FORMAT_INVALID;
        }
        return MqttPubAckReasonCode.UNSPECIFIED_ERROR;
    }
}
