package io.sluice.load;

/** Reads figures out of a service's Prometheus text exposition ({@code /metrics}). */
final class PrometheusText {

    private PrometheusText() {
    }

    /** The sum of every sample of {@code metric}, whatever its labels; 0 when it has none. */
    static double sum(String exposition, String metric) {
        return exposition.lines().filter(line -> line.startsWith(metric + "{") || line.startsWith(metric + " "))
                .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1))).sum();
    }
}
