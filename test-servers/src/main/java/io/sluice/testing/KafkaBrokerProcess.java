package io.sluice.testing;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A real Kafka broker (KRaft, broker and controller in one process) run as a child process, with the
 * same {@code stack/kafka/server.properties} as {@code ./sluice up}, on free loopback ports. Unlike the
 * in-process {@link KafkaTestCluster}, it can be stopped and started again on the same port with its
 * data intact: a broker outage, as devices and bridges see one.
 *
 * <p>Its folder (data and log) is deleted on close, unless {@code SLUICE_KEEP_BROKER_DIR} is set, for
 * reading a failed run's log segments with {@code org.apache.kafka.tools.DumpLogSegments}.
 *
 * <p>It runs on the test JVM's own class path, which holds the Kafka server (kafka_2.13) through
 * kafka-test-common-runtime.
 */
public final class KafkaBrokerProcess implements AutoCloseable {

    private final ServerProcess process;
    private final int port;
    private final Path dir;

    private KafkaBrokerProcess(ServerProcess process, int port, Path dir) {
        this.process = process;
        this.port = port;
        this.dir = dir;
    }

    public static KafkaBrokerProcess start() throws IOException, InterruptedException {
        return start(dir -> "");
    }

    /**
     * A broker whose only client listener is SASL_SSL: TLS with {@code certificate} (for 127.0.0.1), and SASL/PLAIN
     * where {@code user} logs in with {@code password}; a client without both is refused. The secrets stay in the
     * broker's own folder (its properties file, readable by its owner only), never in its arguments.
     */
    public static KafkaBrokerProcess startSaslSsl(TestCertificates.Pair certificate, Path authority, String user, String password)
            throws IOException, InterruptedException {
        return start(dir -> {
            Path keyStore = dir.resolve("broker-key-and-certificate.pem");
            Files.writeString(keyStore, Files.readString(certificate.key()) + Files.readString(certificate.certificate()));
            String brokerPassword = java.util.UUID.randomUUID().toString();
            return String.join("\n",
                    "listeners=SASL_SSL://127.0.0.1:@PORT@,CONTROLLER://127.0.0.1:@CONTROLLER_PORT@",
                    "advertised.listeners=SASL_SSL://127.0.0.1:@PORT@",
                    "listener.security.protocol.map=SASL_SSL:SASL_SSL,CONTROLLER:PLAINTEXT",
                    "inter.broker.listener.name=SASL_SSL",
                    "sasl.enabled.mechanisms=PLAIN",
                    "sasl.mechanism.inter.broker.protocol=PLAIN",
                    "listener.name.sasl_ssl.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required"
                            + " username=\"broker\" password=\"" + brokerPassword + "\" user_broker=\"" + brokerPassword + "\""
                            + " user_" + user + "=\"" + password + "\";",
                    "ssl.keystore.type=PEM",
                    "ssl.keystore.location=" + keyStore,
                    "ssl.truststore.type=PEM",
                    "ssl.truststore.location=" + authority,
                    "");
        });
    }

    /** A JAAS line logging in with SASL/PLAIN as {@code user}: what a client puts in {@code sasl.jaas.config}. */
    public static String plainLogin(String user, String password) {
        return "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"" + user + "\" password=\""
                + password + "\";";
    }

    /** The broker's properties file: the stack's, then {@code extra}'s lines (later lines win). */
    private interface ExtraProperties {
        String in(Path dir) throws IOException;
    }

    private static KafkaBrokerProcess start(ExtraProperties extra) throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("sluice-kafka-");
        int port = FreePorts.next();
        int controllerPort = FreePorts.next();
        StackTemplates.render("kafka/server.properties", dir.resolve("server.properties"), Map.of(
                "DIR", dir.toString(), "PORT", Integer.toString(port), "CONTROLLER_PORT", Integer.toString(controllerPort)));
        String more = extra.in(dir).replace("@PORT@", Integer.toString(port)).replace("@CONTROLLER_PORT@", Integer.toString(controllerPort));
        if (!more.isEmpty()) {
            Files.writeString(dir.resolve("server.properties"), "\n" + more, java.nio.file.StandardOpenOption.APPEND);
        }
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String classPath = System.getProperty("java.class.path");
        // The stack's logging, plus what the log layer does at start-up (recovery, truncation): the story of an outage.
        Path log4j = dir.resolve("log4j2.properties");
        Files.writeString(log4j, Files.readString(StackTemplates.root().resolve("stack/kafka/log4j2.properties"))
                + "\nlogger.log.name = org.apache.kafka.storage.internals.log\nlogger.log.level = info\n"
                + "logger.partition.name = kafka.cluster.Partition\nlogger.partition.level = info\n"
                + "logger.unified.name = kafka.log.UnifiedLog\nlogger.unified.level = info\n");
        String logging = "-Dlog4j2.configurationFile=" + log4j;
        Process format = new ProcessBuilder(java, logging, "-cp", classPath, "kafka.tools.StorageTool", "format",
                "-t", org.apache.kafka.common.Uuid.randomUuid().toString(),
                "-c", dir.resolve("server.properties").toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("format.log").toFile()).start();
        if (format.waitFor() != 0) {
            throw new IllegalStateException("formatting Kafka's storage failed: " + Files.readString(dir.resolve("format.log")));
        }
        ServerProcess process = ServerProcess.start("kafka", List.of(java, "-Xmx512m", logging, "-cp", classPath,
                "kafka.Kafka", dir.resolve("server.properties").toString()), dir.resolve("log/stdout.log"));
        KafkaBrokerProcess broker = new KafkaBrokerProcess(process, port, dir);
        broker.awaitListening();
        return broker;
    }

    public String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    /**
     * Stops the broker as an operator or an orchestrator would (SIGTERM) and waits until it is gone, up to
     * a minute for its controlled shutdown.
     *
     * @throws IllegalStateException if it had to be killed: a single-replica broker killed mid-write may lose
     *                               writes it acknowledged, which is not what the callers mean to test
     */
    public void stop() {
        if (process.stop(Duration.ofSeconds(60))) {
            throw new IllegalStateException("the Kafka broker did not stop within 60 s of SIGTERM and was killed: " + logTail());
        }
    }

    /** The broker's log directory. */
    public Path dataDir() {
        return dir.resolve("data");
    }

    public boolean running() {
        return process.alive();
    }

    /** Starts the stopped broker again, same port, same data, and waits until it listens. */
    public void restart() throws IOException {
        process.restart();
        awaitListening();
    }

    private void awaitListening() {
        process.awaitReady(Duration.ofSeconds(60), () -> {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
                return true;
            } catch (IOException e) {
                return false;
            }
        });
    }

    /** The last lines of the broker's log, for a failing test's message. */
    public String logTail() {
        return process.tail();
    }

    @Override
    public void close() {
        process.close();
        try {
            Files.copy(dir.resolve("log/stdout.log"), Path.of(System.getProperty("java.io.tmpdir"), "sluice-kafka-broker-last.log"),
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException ignored) {
            // only a diagnostic copy
        }
        if (System.getenv("SLUICE_KEEP_BROKER_DIR") == null) {
            TempDirs.deleteQuietly(dir);
        } else {
            System.out.println("kept the Kafka broker's folder: " + dir);
        }
    }
}
