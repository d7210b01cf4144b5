package io.sluice.testing;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

/** Reads a Sluice service's Prometheus metrics, for assertions. */
public final class Scrape {

    private Scrape() {
    }

    /** The text of {@code http://127.0.0.1:<opsPort>/metrics}. */
    public static String metrics(int opsPort) throws IOException, InterruptedException {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + opsPort + "/metrics"))
                .build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    /** The sum of a metric over all its tag sets in Prometheus text (0 when absent). */
    public static double value(String metrics, String name) {
        java.util.regex.Matcher matcher = java.util.regex.Pattern.compile(
                "(?m)^" + java.util.regex.Pattern.quote(name) + "(?:\\{[^}]*\\})? ([0-9.eE+-]+)$").matcher(metrics);
        double sum = 0;
        while (matcher.find()) {
            sum += Double.parseDouble(matcher.group(1));
        }
        return sum;
    }
}
