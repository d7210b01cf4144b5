package io.sluice.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Debian's {@code mosquitto_pub}, a real MQTT client independent of Sluice's own code, run once per
 * message with {@code -d} so that the test sees the broker's answer (PUBACK and its reason code).
 */
public final class MosquittoPub {

    /** What one run of mosquitto_pub did. */
    public record Result(int exitCode, String output) {

        private static final Pattern ACK = Pattern.compile("received PUB(?:ACK|REC) \\(Mid: \\d+(?:, RC:(\\d+))?\\)");

        /**
         * The reason code of the broker's PUBACK/PUBREC (0 when mosquitto_pub printed none, as it
         * does for a successful PUBREC), or -1 when there was no acknowledgement at all.
         */
        public int ackReasonCode() {
            Matcher matcher = ACK.matcher(output);
            if (!matcher.find()) {
                return -1;
            }
            return matcher.group(1) == null ? 0 : Integer.parseInt(matcher.group(1));
        }

        private static final Pattern CONNACK = Pattern.compile("received CONNACK \\((\\d+)\\)");

        /** The CONNACK's return code (3.1.1) or reason code (MQTT 5), or -1 when there was none. */
        public int connackCode() {
            Matcher matcher = CONNACK.matcher(output);
            return matcher.find() ? Integer.parseInt(matcher.group(1)) : -1;
        }

        /** Whether the QoS 2 handshake ran to its end (PUBREC, PUBREL, PUBCOMP). */
        public boolean qos2Completed() {
            return output.contains("received PUBCOMP");
        }

        public boolean acknowledged() {
            return output.contains("received PUBACK") || output.contains("received PUBREC");
        }
    }

    private MosquittoPub() {
    }

    /**
     * A connection that stays open: {@code mosquitto_pub -l} publishing each line written to it, its
     * debug output (what the broker sent back) collected as it comes.
     */
    public static final class Session implements AutoCloseable {

        private final Process process;
        private final java.io.Writer lines;
        private final StringBuffer output = new StringBuffer();

        private Session(Process process) {
            this.process = process;
            this.lines = new java.io.OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
            Thread reader = new Thread(() -> {
                try (java.io.InputStream in = process.getInputStream()) {
                    byte[] buffer = new byte[4096];
                    for (int n; (n = in.read(buffer)) >= 0; ) {
                        output.append(new String(buffer, 0, n, StandardCharsets.UTF_8));
                    }
                } catch (IOException closed) {
                    // The process ended.
                }
            }, "mosquitto_pub-output");
            reader.setDaemon(true);
            reader.start();
        }

        public void publish(String payload) throws IOException {
            lines.write(payload + "\n");
            lines.flush();
        }

        public String output() {
            return output.toString();
        }

        @Override
        public void close() {
            process.destroy();
        }
    }

    /** Opens a session publishing every line to {@code topic}. */
    public static Session session(int port, String clientId, String topic, int qos, String mqttVersion) throws IOException {
        // stdbuf: mosquitto_pub buffers its output into a pipe until it exits; the session reads it line by line.
        return new Session(new ProcessBuilder(ExternalProgram.find("stdbuf", "coreutils"), "-oL",
                ExternalProgram.find("mosquitto_pub", "mosquitto-clients"),
                "-h", "127.0.0.1", "-p", Integer.toString(port), "-V", mqttVersion, "-i", clientId,
                "-q", Integer.toString(qos), "-t", topic, "-l", "-d").redirectErrorStream(true).start());
    }

    /**
     * Publishes one message.
     *
     * @param mqttVersion "mqttv311" or "mqttv5"
     */
    public static Result publish(int port, String clientId, String topic, String payload, int qos, String mqttVersion)
            throws IOException, InterruptedException {
        return publish(port, clientId, topic, payload, qos, mqttVersion, List.of());
    }

    /**
     * Publishes one message with more options, such as {@code -u USER -P PASSWORD}, {@code --cafile},
     * {@code --cert}/{@code --key}, or {@code -D publish user-property NAME VALUE}.
     */
    public static Result publish(int port, String clientId, String topic, String payload, int qos, String mqttVersion,
                                 List<String> options) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(ExternalProgram.find("mosquitto_pub", "mosquitto-clients"),
                "-h", "127.0.0.1", "-p", Integer.toString(port), "-V", mqttVersion, "-i", clientId,
                "-q", Integer.toString(qos), "-t", topic, "-m", payload, "-d"));
        command.addAll(options);
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("mosquitto_pub did not finish within 30 s");
        }
        return new Result(process.exitValue(), new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    }
}
