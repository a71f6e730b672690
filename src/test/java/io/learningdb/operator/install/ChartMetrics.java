package io.learningdb.operator.install;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.TreeSet;
import java.util.regex.Pattern;

/** The metric names the chart's alert rules and its Grafana dashboard use: what the metric tests hold the code to. */
public final class ChartMetrics {

    static final Path RULES = Path.of("helm/learningdb-operator/templates/prometheusrule.yaml");
    static final Path DASHBOARD = Path.of("helm/learningdb-operator/files/grafana-dashboard.json");

    private ChartMetrics() {
    }

    /** Every name matching {@code pattern} in the alert rules and the dashboard. */
    public static TreeSet<String> named(String pattern) throws IOException {
        String text = Files.readString(RULES) + Files.readString(DASHBOARD);
        var names = new TreeSet<String>();
        var m = Pattern.compile(pattern).matcher(text);
        while (m.find()) {
            names.add(m.group());
        }
        return names;
    }
}
