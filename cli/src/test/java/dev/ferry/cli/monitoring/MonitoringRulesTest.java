package dev.ferry.cli.monitoring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.disk.testing.Tools;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The alert rules under {@code manifests/monitoring} as Prometheus reads them: {@code promtool check
 * rules} accepts them and {@code promtool test rules} runs their unit tests (each alert fires on the
 * series that mean trouble and stays silent on the others).
 */
class MonitoringRulesTest {
    @TempDir
    Path dir;

    @Test
    void theRulesAreValidAndTheirUnitTestsPass() throws Exception {
        Tools.require("promtool");
        Path rules = Monitoring.writeRuleFile(dir.resolve(Monitoring.RULE_FILE));
        Files.copy(Monitoring.DIR.resolve("rules-test.yaml"), dir.resolve("rules-test.yaml"));

        Tools.Result check = Tools.exec("promtool", "check", "rules", rules.toString());
        assertThat(check.exitCode()).as(check.output()).isZero();
        assertThat(check.output()).contains("SUCCESS: " + Monitoring.alertNames().size() + " rules found");

        Tools.Result test = Tools.exec("promtool", "test", "rules", dir.resolve("rules-test.yaml").toString());
        assertThat(test.exitCode()).as(test.output()).isZero();
        assertThat(test.output()).contains("SUCCESS");
    }

    @Test
    void everyAlertHasAUnitTestThatExpectsItToFire() throws Exception {
        String tests = Files.readString(Monitoring.DIR.resolve("rules-test.yaml"));
        for (String alert : Monitoring.alertNames()) {
            assertThat(tests).as("a test of " + alert).contains("alertname: " + alert);
        }
    }

    @Test
    void aBrokenExpectationFailsTheRuleTests() throws Exception {
        Tools.require("promtool");
        Monitoring.writeRuleFile(dir.resolve(Monitoring.RULE_FILE));
        // the stalled import named as another pod: promtool must report the difference
        Files.writeString(dir.resolve("rules-test.yaml"), Files.readString(Monitoring.DIR.resolve("rules-test.yaml"))
                .replace("pod: importer-stuck, ownerUID: u1", "pod: importer-slow, ownerUID: u2"));

        Tools.Result test = Tools.exec("promtool", "test", "rules", dir.resolve("rules-test.yaml").toString());

        assertThat(test.exitCode()).isNotZero();
        assertThat(test.output()).contains("FerryTransferStalled");
    }
}
