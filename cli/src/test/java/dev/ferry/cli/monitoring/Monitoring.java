package dev.ferry.cli.monitoring;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** What the monitoring manifests hold: the PrometheusRule's groups and the dashboard's queries. */
final class Monitoring {
    static final Path DIR = Path.of("..", "manifests", "monitoring");
    /** The name rules-test.yaml gives the rule file it tests. */
    static final String RULE_FILE = "ferry-alerts.rules.yaml";
    private static final Pattern METRIC = Pattern.compile("\\b((?:kubevirt|ferry)_[a-z0-9_]+)\\b");
    private static final YAMLMapper YAML = new YAMLMapper();

    private Monitoring() {
    }

    static JsonNode rule() throws IOException {
        return YAML.readTree(DIR.resolve("prometheus-rule.yaml").toFile());
    }

    /** The PrometheusRule's {@code spec} as a Prometheus rule file (what prometheus-operator hands Prometheus). */
    static Path writeRuleFile(Path file) throws IOException {
        ObjectNode groups = YAML.createObjectNode().set("groups", rule().get("spec").get("groups"));
        Files.writeString(file, YAML.writeValueAsString(groups));
        return file;
    }

    static List<String> alertNames() throws IOException {
        List<String> names = new ArrayList<>();
        rule().get("spec").get("groups").forEach(g -> g.get("rules").forEach(r -> names.add(r.get("alert").asText())));
        return names;
    }

    /** Every expression the rules and the dashboard's panels evaluate. */
    static List<String> expressions() throws IOException {
        List<String> exprs = new ArrayList<>();
        rule().get("spec").get("groups").forEach(g -> g.get("rules").forEach(r -> exprs.add(r.get("expr").asText())));
        JsonNode dashboard = new ObjectMapper().readTree(DIR.resolve("grafana-dashboard.json").toFile());
        dashboard.get("panels").forEach(p -> p.get("targets").forEach(t -> exprs.add(t.get("expr").asText())));
        return exprs;
    }

    /** The Ferry, CDI and KubeVirt metric names those expressions query. */
    static Set<String> metricNames() throws IOException {
        Set<String> names = new TreeSet<>();
        for (String expr : expressions()) {
            Matcher m = METRIC.matcher(expr);
            while (m.find()) {
                names.add(m.group(1));
            }
        }
        return names;
    }
}
