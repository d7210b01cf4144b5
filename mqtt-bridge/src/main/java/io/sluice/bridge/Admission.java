package io.sluice.bridge;

import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Optional;

import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.mqtt.MqttAuth;
import io.vertx.mqtt.MqttEndpoint;
import io.sluice.bridge.auth.Authenticator;
import io.sluice.schemas.mqtt.MqttTopics;

/**
 * Who may connect, decided once per CONNECT, cheapest checks first: the bridge is not draining, the client id is
 * there, the address is allowed, there is room, the connect rates per client id and per address hold; then the
 * device's identity: the CN of a verified TLS client certificate, or a username and password checked against the
 * credentials file (off the event loop, on a small worker pool), or, with authentication off, none (any device).
 */
final class Admission {

    /** The outcome: refused with a reason, or admitted as a device (its id, or null when any device id is allowed). */
    record Decision(SessionReason refusal, String deviceId) {
        static Decision refused(SessionReason reason) {
            return new Decision(reason, null);
        }

        static Decision admitted(String deviceId) {
            return new Decision(null, deviceId);
        }

        boolean admitted() {
            return refusal == null;
        }
    }

    private static final Logger LOG = LoggerFactory.getLogger(Admission.class);

    private final MqttEdge.Limits limits;
    private final BridgeMetrics metrics;
    private final Authenticator authenticator;
    private final WorkerExecutor authWorkers;

    Admission(Vertx vertx, MqttEdge.Limits limits, BridgeMetrics metrics, Authenticator authenticator) {
        this.limits = limits;
        this.metrics = metrics;
        this.authenticator = authenticator;
        this.authWorkers = vertx.createSharedWorkerExecutor("sluice-auth", 2);
    }

    /** Decides a CONNECT; the future completes on the connection's own context. */
    Future<Decision> decide(MqttEndpoint endpoint, Context context, boolean accepting, int connections) {
        String clientId = endpoint.clientIdentifier();
        String host = endpoint.remoteAddress() == null ? "" : endpoint.remoteAddress().hostAddress();
        Optional<SessionReason> refusal = beforeAuthentication(clientId, host, accepting, connections);
        if (refusal.isPresent()) {
            return Future.succeededFuture(Decision.refused(refusal.get()));
        }
        Optional<String> certificateId = certificateDeviceId(endpoint);
        MqttAuth auth = endpoint.auth();
        String username = auth == null ? null : auth.getUsername();
        if (certificateId.isPresent()) {
            if (username != null && !username.isEmpty() && !username.equals(certificateId.get())) {
                metrics.authenticationFailed("CERTIFICATE_MISMATCH");
                return Future.succeededFuture(Decision.refused(SessionReason.NOT_AUTHORIZED));
            }
            return Future.succeededFuture(Decision.admitted(certificateId.get()));
        }
        if (authenticator == null) {
            return Future.succeededFuture(Decision.admitted(null));
        }
        String password = auth == null ? null : auth.getPassword();
        Promise<Decision> decision = Promise.promise();
        authWorkers.executeBlocking(() -> authenticator.verify(username, password), false)
                .onComplete(result -> context.runOnContext(ignored -> {
                    Optional<Authenticator.Failure> failure = result.succeeded() ? result.result()
                            : Optional.of(Authenticator.Failure.BAD_PASSWORD);
                    if (failure.isPresent()) {
                        metrics.authenticationFailed(failure.get().name());
                        LOG.info("refused client '{}' from {}: {}", clientId, endpoint.remoteAddress(), failure.get());
                        decision.complete(Decision.refused(SessionReason.BAD_CREDENTIALS));
                    } else {
                        decision.complete(Decision.admitted(username));
                    }
                }));
        return decision.future();
    }

    private Optional<SessionReason> beforeAuthentication(String clientId, String host, boolean accepting, int connections) {
        long now = System.nanoTime();
        if (!accepting) {
            return Optional.of(SessionReason.SERVER_DRAINING);
        }
        if (clientId == null || clientId.isEmpty()) {
            return Optional.of(SessionReason.INVALID_CLIENT_ID);
        }
        if (!limits.addresses().admits(host)) {
            return Optional.of(SessionReason.BANNED_ADDRESS);
        }
        if (connections >= limits.maxConnections()) {
            return Optional.of(SessionReason.TOO_MANY_CONNECTIONS);
        }
        if (!limits.connectsPerDevice().tryTake(clientId, now)) {
            metrics.rateLimited("connect.per.device");
            return Optional.of(SessionReason.CONNECTION_RATE_EXCEEDED);
        }
        if (!limits.connectsPerAddress().tryTake(host, now)) {
            metrics.rateLimited("connect.per.address");
            return Optional.of(SessionReason.CONNECTION_RATE_EXCEEDED);
        }
        return Optional.empty();
    }

    /** The CN of a verified TLS client certificate, when it is a valid device id. */
    static Optional<String> certificateDeviceId(MqttEndpoint endpoint) {
        if (!endpoint.isSsl()) {
            return Optional.empty();
        }
        SSLSession session = endpoint.sslSession();
        if (session == null) {
            return Optional.empty();
        }
        try {
            Certificate[] chain = session.getPeerCertificates();
            if (chain.length == 0 || !(chain[0] instanceof X509Certificate certificate)) {
                return Optional.empty();
            }
            for (Rdn rdn : new LdapName(certificate.getSubjectX500Principal().getName()).getRdns()) {
                if (rdn.getType().equalsIgnoreCase("CN") && MqttTopics.isValidDeviceId(String.valueOf(rdn.getValue()))) {
                    return Optional.of(String.valueOf(rdn.getValue()));
                }
            }
        } catch (SSLPeerUnverifiedException | InvalidNameException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }

    void close() {
        authWorkers.close();
    }
}
