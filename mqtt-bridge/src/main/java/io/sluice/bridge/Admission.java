package io.sluice.bridge;

import java.math.BigInteger;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.mqtt.MqttAuth;
import io.vertx.mqtt.MqttEndpoint;
import io.sluice.bridge.auth.Authenticator;
import io.sluice.bridge.auth.CertificateDenyList;
import io.sluice.bridge.auth.PasswordHash;
import io.sluice.runtime.RateLimitedLog;
import io.sluice.schemas.mqtt.MqttTopics;

/**
 * Who may connect, decided once per CONNECT, cheapest checks first, and nothing before authentication keyed by what
 * the client chose: the bridge is not draining; the client id is a valid device id (the device-id alphabet, at most
 * 128 characters); the address is allowed; there is a socket free (idle sockets count); the address is within its
 * connect rate. Then the device's identity, in which the client id must be the device id
 * (so one device cannot take over another's session, and has at most one session per bridge):
 * <ul>
 *   <li>the CN of a verified TLS client certificate whose serial is not denied;</li>
 *   <li>or a username (the device id) and password: a secret verified before is recognised on the event loop at once;
 *       others wait for a slow hash on a small worker pool, in a bounded queue (over it: server busy), each check
 *       spending a token of the address's failed-login budget, given back when the secret was right;</li>
 *   <li>or, only with {@code auth.anonymous=true}, no credentials at all (any device).</li>
 * </ul>
 * Last, the device (not the client id it chose before proving anything) is held to its connect rate.
 */
final class Admission {

    /** The outcome: refused with a reason, or admitted as a device (null: anonymous, any device) with its credential. */
    record Decision(SessionReason refusal, String deviceId, PasswordHash entry, BigInteger certificateSerial) {
        static Decision refused(SessionReason reason) {
            return new Decision(reason, null, null, null);
        }

        boolean admitted() {
            return refusal == null;
        }
    }

    /** How devices prove who they are, and the bounds on proving it. */
    record Rules(Authenticator passwords, CertificateDenyList deniedCertificates, boolean anonymous, int queueMax,
                 RateLimits failuresPerAddress) {
    }

    private final MqttEdge.Limits limits;
    private final Rules rules;
    private final BridgeMetrics metrics;
    private final WorkerExecutor authWorkers;
    private final AtomicInteger waiting = new AtomicInteger();
    private final RateLimitedLog log = new RateLimitedLog(Admission.class, 10);

    Admission(Vertx vertx, MqttEdge.Limits limits, Rules rules, BridgeMetrics metrics) {
        this.limits = limits;
        this.rules = rules;
        this.metrics = metrics;
        this.authWorkers = vertx.createSharedWorkerExecutor("sluice-auth", 2);
        metrics.authenticationQueue(waiting);
    }

    /** Decides a CONNECT; the future completes on the connection's own context. */
    Future<Decision> decide(MqttEndpoint endpoint, Context context, boolean accepting, int openSockets) {
        String clientId = endpoint.clientIdentifier();
        String host = endpoint.remoteAddress() == null ? "" : endpoint.remoteAddress().hostAddress();
        Optional<SessionReason> refusal = beforeIdentity(clientId, host, accepting, openSockets);
        if (refusal.isPresent()) {
            return Future.succeededFuture(Decision.refused(refusal.get()));
        }
        MqttAuth auth = endpoint.auth();
        String username = auth == null ? null : auth.getUsername();
        String password = auth == null ? null : auth.getPassword();
        Optional<X509Certificate> certificate = clientCertificate(endpoint);
        if (certificate.isPresent()) {
            return Future.succeededFuture(byCertificate(certificate.get(), clientId, username));
        }
        if (username == null && password == null && rules.anonymous()) {
            return Future.succeededFuture(afterIdentity(new Decision(null, null, null, null), clientId));
        }
        if (username != null && !username.equals(clientId)) {
            metrics.authenticationFailed("CLIENT_ID_NOT_DEVICE_ID");
            return Future.succeededFuture(Decision.refused(SessionReason.INVALID_CLIENT_ID));
        }
        Authenticator passwords = rules.passwords();
        if (passwords == null || username == null || password == null) {
            rules.failuresPerAddress().tryTake(host, System.nanoTime());
            return Future.succeededFuture(refusedLogin(host, clientId, Authenticator.Failure.NO_CREDENTIALS.name()));
        }
        Optional<PasswordHash> remembered = passwords.remembered(username, password);
        if (remembered.isPresent()) {
            return Future.succeededFuture(afterIdentity(new Decision(null, username, remembered.get(), null), clientId));
        }
        // Each slow check spends a failed-login token of the address up front, given back if the secret was right:
        // an address has at most its burst of checks queued, however fast it sends CONNECTs.
        if (!rules.failuresPerAddress().tryTake(host, System.nanoTime())) {
            metrics.rateLimited("auth.failures.per.address");
            return Future.succeededFuture(Decision.refused(SessionReason.TOO_MANY_FAILED_LOGINS));
        }
        if (waiting.incrementAndGet() > rules.queueMax()) {
            waiting.decrementAndGet();
            rules.failuresPerAddress().refund(host, System.nanoTime());
            return Future.succeededFuture(Decision.refused(SessionReason.SERVER_BUSY));
        }
        Promise<Decision> decision = Promise.promise();
        authWorkers.executeBlocking(() -> passwords.verify(username, password), false)
                .onComplete(result -> context.runOnContext(ignored -> {
                    waiting.decrementAndGet();
                    Authenticator.Verdict verdict = result.succeeded() ? result.result()
                            : new Authenticator.Verdict(null, Authenticator.Failure.BAD_PASSWORD);
                    if (verdict.verified()) {
                        rules.failuresPerAddress().refund(host, System.nanoTime());
                        decision.complete(afterIdentity(new Decision(null, username, verdict.entry(), null), clientId));
                    } else {
                        decision.complete(refusedLogin(host, clientId, verdict.failure().name()));
                    }
                }));
        return decision.future();
    }

    private Optional<SessionReason> beforeIdentity(String clientId, String host, boolean accepting, int openSockets) {
        long now = System.nanoTime();
        if (!accepting) {
            return Optional.of(SessionReason.SERVER_DRAINING);
        }
        if (!MqttTopics.isValidDeviceId(clientId)) {
            return Optional.of(SessionReason.INVALID_CLIENT_ID);
        }
        if (!limits.addresses().admits(host)) {
            return Optional.of(SessionReason.BANNED_ADDRESS);
        }
        if (openSockets > limits.maxConnections()) {
            return Optional.of(SessionReason.TOO_MANY_CONNECTIONS);
        }
        if (!limits.connectsPerAddress().tryTake(host, now)) {
            metrics.rateLimited("connect.per.address");
            return Optional.of(SessionReason.CONNECTION_RATE_EXCEEDED);
        }
        return Optional.empty();
    }

    private Decision byCertificate(X509Certificate certificate, String clientId, String username) {
        Optional<String> deviceId = deviceIdOf(certificate);
        if (deviceId.isEmpty() || (username != null && !username.isEmpty() && !username.equals(deviceId.get()))) {
            metrics.authenticationFailed("CERTIFICATE_MISMATCH");
            return Decision.refused(SessionReason.NOT_AUTHORIZED);
        }
        if (rules.deniedCertificates() != null && rules.deniedCertificates().denies(certificate.getSerialNumber())) {
            metrics.authenticationFailed("CERTIFICATE_DENIED");
            return Decision.refused(SessionReason.NOT_AUTHORIZED);
        }
        if (!deviceId.get().equals(clientId)) {
            metrics.authenticationFailed("CLIENT_ID_NOT_DEVICE_ID");
            return Decision.refused(SessionReason.INVALID_CLIENT_ID);
        }
        return afterIdentity(new Decision(null, deviceId.get(), null, certificate.getSerialNumber()), clientId);
    }

    /** The connect rate of a device, keyed by who it proved to be (or its client id when anonymous). */
    private Decision afterIdentity(Decision decision, String clientId) {
        if (!decision.admitted()) {
            return decision;
        }
        String key = decision.deviceId() != null ? decision.deviceId() : clientId;
        if (!limits.connectsPerDevice().tryTake(key, System.nanoTime())) {
            metrics.rateLimited("connect.per.device");
            return Decision.refused(SessionReason.CONNECTION_RATE_EXCEEDED);
        }
        return decision;
    }

    private Decision refusedLogin(String host, String clientId, String why) {
        metrics.authenticationFailed(why);
        log.info("refused client '{}' from {}: {}", clientId, host, why);
        return Decision.refused(SessionReason.BAD_CREDENTIALS);
    }

    /**
     * Whether a session admitted with this decision must end now: its device's entry in the credentials file was
     * removed or replaced, or its certificate's serial is denied.
     */
    boolean revoked(Decision decision) {
        if (decision.entry() != null && rules.passwords() != null
                && !rules.passwords().current(decision.deviceId(), decision.entry())) {
            return true;
        }
        return decision.certificateSerial() != null && rules.deniedCertificates() != null
                && rules.deniedCertificates().denies(decision.certificateSerial());
    }

    /** The verified TLS client certificate, if the connection presented one. */
    private static Optional<X509Certificate> clientCertificate(MqttEndpoint endpoint) {
        if (!endpoint.isSsl() || endpoint.sslSession() == null) {
            return Optional.empty();
        }
        SSLSession session = endpoint.sslSession();
        try {
            Certificate[] chain = session.getPeerCertificates();
            return chain.length > 0 && chain[0] instanceof X509Certificate certificate ? Optional.of(certificate)
                    : Optional.empty();
        } catch (SSLPeerUnverifiedException e) {
            return Optional.empty();
        }
    }

    /** The CN of a certificate, when it is a valid device id. */
    static Optional<String> deviceIdOf(X509Certificate certificate) {
        try {
            for (Rdn rdn : new LdapName(certificate.getSubjectX500Principal().getName()).getRdns()) {
                if (rdn.getType().equalsIgnoreCase("CN") && MqttTopics.isValidDeviceId(String.valueOf(rdn.getValue()))) {
                    return Optional.of(String.valueOf(rdn.getValue()));
                }
            }
        } catch (InvalidNameException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }

    void close() {
        authWorkers.close();
    }
}
