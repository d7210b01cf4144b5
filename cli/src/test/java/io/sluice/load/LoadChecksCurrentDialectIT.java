package io.sluice.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.reflect.Field;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.sluice.clickhouse.ChdbEngine;
import io.sluice.clickhouse.ClickHouseQueries;
import io.sluice.schemas.avro.Anomaly;
import io.sluice.schemas.avro.TelemetryEvent;
import io.sluice.schemas.clickhouse.ClickHouseMigrations.Dialect;
import io.sluice.sink.ClickHouseMigrator;
import io.sluice.sink.AnomalyWriter;
import io.sluice.sink.TelemetryWriter;
import io.sluice.testing.Await;
import io.sluice.testing.FleetSample;

/**
 * What a load run checks in ClickHouse, on the current dialect (ClickHouse 26.7, chdb): the loss check, the injection
 * check, the end-to-end sampler and the run's report of the table, each against data written by the sink's writers.
 * Here in cli, whose tests have both the load tests and the sink.
 */
class LoadChecksCurrentDialectIT {

    private static final Duration NO_WAIT = Duration.ofMillis(300);

    private static ChdbEngine engine;
    private static ClickHouseQueries clickHouse;

    @BeforeAll
    static void start(@TempDir Path dir) throws Exception {
        engine = ChdbEngine.start(dir.resolve("chdb"));
        clickHouse = new ClickHouseQueries(engine.endpoint());
        assertEquals(Dialect.CURRENT, ClickHouseMigrator.run(clickHouse).dialect());
    }

    @AfterAll
    static void stop() {
        if (engine != null) {
            engine.close();
        }
    }

    private static void write(List<TelemetryEvent> events) throws Exception {
        try (TelemetryWriter writer = new TelemetryWriter(engine.endpoint())) {
            for (int i = 0; i < events.size(); i += 500) {
                writer.write(events.subList(i, Math.min(events.size(), i + 500)));
            }
        }
    }

    /** A fleet run that had every message of the sample acknowledged. */
    private static FleetResult acknowledged(FleetSample fleet, String runId, FleetOptions.PayloadFormat format) {
        FleetOptions options = new FleetOptions("127.0.0.1", 1883, fleet.devices().size(), new RateProfile.Steady(3), fleet.seconds(), 1,
                10, runId, FleetOptions.Transport.TCP, format, null, 0, 1);
        Map<String, BitSet> seqs = new LinkedHashMap<>();
        Map<String, long[]> times = new LinkedHashMap<>();
        for (int d = 0; d < fleet.devices().size(); d++) {
            BitSet acked = new BitSet();
            acked.set(0, fleet.seconds());
            seqs.put(fleet.device(d), acked);
            long[] sent = new long[fleet.seconds()];
            for (int s = 0; s < sent.length; s++) {
                sent[s] = fleet.tsMs(d, s);
            }
            times.put(fleet.device(d), sent);
        }
        long messages = (long) fleet.devices().size() * fleet.seconds();
        return new FleetResult(options, messages, messages, 0, fleet.seconds(), new Histogram(3), seqs, times,
                FleetSample.METRICS.size(), 0, 0, List.of(), Map.of(), fleet.devices().size());
    }

    @Test
    void theLossCheckFindsEveryReadingOnceDespiteRetransmissions() throws Exception {
        FleetSample fleet = FleetSample.endingNow("exact", 3, 4);
        write(fleet.events());
        write(fleet.retransmissions());

        LossCheck check = LossCheck.against(clickHouse, acknowledged(fleet, "exact", FleetOptions.PayloadFormat.JSON), Duration.ofSeconds(30));

        assertEquals(List.of(fleet.readings(), fleet.readings(), 0L, 0L), List.of(check.acknowledged(), check.stored(), check.lost(),
                check.duplicated()), check.toString());
        assertTrue(check.exact());
        assertTrue(check.rawRows() >= fleet.readings(), check.toString());
    }

    @Test
    void theLossCheckCountsWhatIsMissingBySequenceNumberOrByTime() throws Exception {
        FleetSample fleet = FleetSample.endingNow("lossy", 2, 3);
        List<TelemetryEvent> stored = new ArrayList<>();
        for (TelemetryEvent event : fleet.events()) {
            boolean lostMessage = event.getDeviceId().equals("lossy-2") && event.getSeq() >= 100 && event.getSeq() < 110;
            if (event.getDeviceId().equals("lossy-1") && event.getSeq() == 7) {
                event.getMetrics().remove("battery"); // one reading of a message lost
            }
            if (!lostMessage) {
                stored.add(event);
            }
        }
        write(stored);

        for (FleetOptions.PayloadFormat format : FleetOptions.PayloadFormat.values()) {
            LossCheck check = LossCheck.against(clickHouse, acknowledged(fleet, "lossy", format), NO_WAIT);
            assertEquals(List.of(fleet.readings(), fleet.readings() - 41, 41L, 0L), List.of(check.acknowledged(), check.stored(),
                    check.lost(), check.duplicated()), format + ": " + check);
            assertEquals(fleet.readings() - 41, check.rawRows());
        }
    }

    @Test
    void theInjectionCheckMatchesInjectionsWithTheAnomaliesRaised() throws Exception {
        long runStart = System.currentTimeMillis() / 1000 * 1000 - 600_000;
        long runEnd = runStart + 300_000;
        FleetOptions options = new FleetOptions("127.0.0.1", 1883, 5, new RateProfile.Steady(5), 300, 1, 10, "inj",
                FleetOptions.Transport.TCP, FleetOptions.PayloadFormat.JSON, null, 4, 1);
        List<LiveInjection.Planned> plan = List.of(
                injected(LiveInjection.Kind.SPIKE, "inj-1", 100, runStart),
                injected(LiveInjection.Kind.DRIFT, "inj-2", 120, runStart),
                injected(LiveInjection.Kind.STUCK, "inj-3", 140, runStart),
                new LiveInjection.Planned(LiveInjection.Kind.SILENT, "inj-4", 290)); // the run ended first: never happened
        try (AnomalyWriter writer = new AnomalyWriter(engine.endpoint())) {
            writer.write(List.of(
                    anomaly("inj-1", "humidity", "ZSCORE", runStart + 101_000, runStart + 101_400), // caught
                    anomaly("inj-1", "humidity", "ZSCORE", runStart - 50_000, runStart - 49_000), // before the run: not this run's
                    anomaly("inj-2", "humidity", "ZSCORE", runStart + 121_000, runStart + 121_300), // the wrong metric: missed
                    anomaly("inj-3", "battery", "STUCK", runStart + 180_000, runStart + 180_200), // any metric: caught
                    anomaly("inj-5", "temperature", "ZSCORE", runStart + 50_000, runStart + 50_500), // a false alarm
                    anomaly("inj-5", "pressure", "ZSCORE", runEnd + 5_000, runEnd + 5_500))); // after the run: not counted
            writer.write(List.of(anomaly("inj-1", "humidity", "ZSCORE", runStart + 101_000, runStart + 102_000))); // raised again
        }

        InjectionCheck check = InjectionCheck.against(clickHouse, options, plan, runStart, runEnd);

        assertEquals(3, check.injected());
        assertEquals(2, check.caught());
        assertEquals(List.of("DRIFT on inj-2"), check.missed());
        assertEquals(1, check.falseAlarms());
        assertEquals(Map.of("ZSCORE", 4L, "STUCK", 1L), check.byDetector(), "each anomaly once (FINAL), from the run's start");
    }

    private static LiveInjection.Planned injected(LiveInjection.Kind kind, String device, int atSecond, long runStart) {
        LiveInjection.Planned planned = new LiveInjection.Planned(kind, device, atSecond);
        for (int s = atSecond; s < atSecond + 5; s++) { // the device's publishes from then on, one a second
            planned.before(s, s, runStart + s * 1000L);
        }
        return planned;
    }

    private static Anomaly anomaly(String device, String metric, String detector, long tsMs, long detectedAtMs) {
        return Anomaly.newBuilder().setDeviceId(device).setMetric(metric).setTsMs(tsMs).setValue(80).setExpected(45).setScore(5.5)
                .setDetector(detector).setSeverity("WARNING").setDetail("").setDetectedAtMs(detectedAtMs).setReceivedAtMs(tsMs + 30).build();
    }

    @Test
    void theEndToEndSamplerFindsAReadingOnceItIsStoredAndGivesUpOnOneThatNeverIs() throws Exception {
        FleetSample fleet = FleetSample.endingNow("e2e", 1, 1);
        long published = System.currentTimeMillis();
        EndToEndSampler sampler = new EndToEndSampler(clickHouse);
        try {
            sampler.offer(new FleetSimulator.AckSample(fleet.device(0), 5, fleet.tsMs(0, 5), published));
            awaitTaken(sampler);
            write(List.of(fleet.event(0, 5))); // stored after the sample was taken: found by a later poll
            Histogram millis = sampler.stop(30);
            assertEquals(1, millis.getTotalCount(), "one latency recorded");
            assertTrue(millis.getMaxValue() >= 0 && millis.getMaxValue() <= System.currentTimeMillis() - published);
            assertEquals(0, sampler.missed());
        } finally {
            sampler.stop(1); // not close(): its join(0) would wait for the sample to be given up on (2 min)
        }
        EndToEndSampler giveUp = new EndToEndSampler(clickHouse);
        try {
            giveUp.offer(new FleetSimulator.AckSample(fleet.device(0), 6, fleet.tsMs(0, 6), published - 125_000));
            awaitTaken(giveUp);
            assertEquals(0, giveUp.stop(30).getTotalCount());
            assertEquals(1, giveUp.missed(), "a reading not stored within two minutes of its publish is counted missed");
        } finally {
            giveUp.stop(1);
        }
    }

    /** Until the sampler has taken the sample offered (it takes the latest one every 200 ms). */
    @SuppressWarnings("unchecked")
    private static void awaitTaken(EndToEndSampler sampler) throws Exception {
        Field latest = EndToEndSampler.class.getDeclaredField("latest");
        latest.setAccessible(true);
        AtomicReference<FleetSimulator.AckSample> offered = (AtomicReference<FleetSimulator.AckSample>) latest.get(sampler);
        Await.until("the sampler taking the sample", Duration.ofSeconds(10), () -> offered.get() == null);
    }

    @Test
    void theRunsReportOfTheTableCountsItsRows() throws Exception {
        FleetSample fleet = FleetSample.endingNow("fr", 2, 2);
        write(fleet.events());
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        new FleetReport(new PrintStream(printed, true, StandardCharsets.UTF_8)).clickHouseContents(clickHouse, "fr");
        String report = printed.toString(StandardCharsets.UTF_8);
        long total = clickHouse.number("SELECT count() FROM sluice.telemetry");
        assertTrue(report.contains(String.format(java.util.Locale.ROOT, "= SELECT count() FROM sluice.telemetry: %,d", total)), report);
        assertTrue(report.contains("Rows per device of this run (2 devices"), report);
        assertTrue(report.matches("(?s).*fr-1 +" + String.format(java.util.Locale.ROOT, "%,d", fleet.seconds() * 4) + "\\n.*"), report);
        assertTrue(report.contains(String.format(java.util.Locale.ROOT, "(%,d rows received over", fleet.readings())), report);
    }
}
