package io.sluice.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.apache.logging.log4j.Logger;
import org.apache.logging.log4j.core.LoggerContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The services' shipped logging configurations (log4j2.properties, log4j2-file.properties) as the services load them:
 * a device's text cannot forge a log line, and the native stack's log files rotate within a bound.
 */
class LogConfigurationTest {

    @TempDir
    Path dir;

    private LoggerContext context;

    @AfterEach
    void stop() {
        if (context != null) {
            context.stop();
        }
        System.clearProperty("sluice.log.file");
        System.clearProperty("sluice.log.max.size");
    }

    private Logger fileLogger(Path file, String maxSize) {
        System.setProperty("sluice.log.file", file.toString());
        System.setProperty("sluice.log.max.size", maxSize);
        try {
            context = new LoggerContext("log-configuration-test", null, getClass().getClassLoader().getResource("log4j2-file.properties").toURI());
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
        context.start();
        return context.getLogger("io.sluice.test");
    }

    @Test
    void aClientIdWithLineBreaksStaysOnItsOwnLine() throws IOException {
        Path file = dir.resolve("bridge.log");
        Logger log = fileLogger(file, "20MB");
        log.warn("refused client id {}", "evil\r\n2026-11-29T00:00:00,000Z INFO  [main] MqttBridge - device admin logged in");
        log.info("next");
        context.stop();
        List<String> lines = Files.readAllLines(file);
        assertEquals(2, lines.size(), lines.toString());
        assertTrue(lines.get(0).contains("refused client id evil\\r\\n2026-11-29"), lines.get(0));
    }

    @Test
    void theConsoleLayoutEncodesLineBreaksToo() throws IOException {
        String console = new String(LogConfigurationTest.class.getClassLoader().getResourceAsStream("log4j2.properties").readAllBytes());
        assertTrue(console.contains("%enc{%msg}{CRLF}"), "the console pattern encodes CR and LF");
    }

    @Test
    void aFloodOfLogLinesRotatesWithinTheBound() throws IOException {
        Path file = dir.resolve("sink.log");
        Logger log = fileLogger(file, "64KB");
        String line = "x".repeat(200);
        for (int i = 0; i < 10_000; i++) { // 2 MB of messages
            log.warn("flood {} {}", i, line);
        }
        context.stop();
        List<Path> files;
        long bytes;
        try (Stream<Path> listing = Files.list(dir)) {
            files = listing.toList();
        }
        bytes = files.stream().mapToLong(p -> p.toFile().length()).sum();
        assertEquals(5, files.size(), "the current file and 4 older ones: " + files);
        assertTrue(bytes <= 5 * 70 * 1024, "the files hold " + bytes + " bytes");
        assertTrue(Files.readString(file).contains("flood 9999 "), "the newest lines are in the current file");
    }

    @Test
    void theJsonFormatWritesOneEcsObjectPerLineWithTheDevicesTextInsideIt() throws IOException {
        Path file = dir.resolve("processor.log");
        fileLogger(file, "20MB");
        // SLUICE_LOG_FORMAT picks the appender by name; the environment cannot be set here, so the json one is used directly.
        org.apache.logging.log4j.core.Appender json = context.getConfiguration().getAppender("file-json");
        json.append(org.apache.logging.log4j.core.impl.Log4jLogEvent.newBuilder().setLoggerName("io.sluice.test")
                .setLevel(org.apache.logging.log4j.Level.WARN)
                .setMessage(new org.apache.logging.log4j.message.SimpleMessage("refused client id evil\r\n{\"forged\":true}"))
                .build());
        context.stop();
        List<String> lines = Files.readAllLines(file);
        assertEquals(1, lines.size(), lines.toString());
        com.fasterxml.jackson.databind.JsonNode event = new com.fasterxml.jackson.databind.ObjectMapper().readTree(lines.get(0));
        assertEquals("WARN", event.path("log.level").asText(), lines.get(0));
        assertEquals("refused client id evil\r\n{\"forged\":true}", event.path("message").asText());
        assertTrue(event.has("@timestamp"), lines.get(0));
    }

    @Test
    void anUnknownLogFormatIsAConfigurationError() {
        ServiceMain.checkLogFormat(null);
        ServiceMain.checkLogFormat("text");
        ServiceMain.checkLogFormat("json");
        org.apache.kafka.common.config.ConfigException error = org.junit.jupiter.api.Assertions.assertThrows(
                org.apache.kafka.common.config.ConfigException.class, () -> ServiceMain.checkLogFormat("xml"));
        assertEquals("SLUICE_LOG_FORMAT must be text or json, got 'xml'", error.getMessage());
    }
}
