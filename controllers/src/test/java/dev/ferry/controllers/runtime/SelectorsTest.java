package dev.ferry.controllers.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SelectorsTest {
    @Test
    void labelsAndExpressionsMatchAsTheApiServerMatchesThem() {
        assertThat(Selectors.matches(null, null)).as("no selector: everything").isTrue();
        assertThat(Selectors.matches(new LabelSelector(), Map.of("a", "b"))).as("an empty selector: everything").isTrue();
        LabelSelector selector = new LabelSelectorBuilder().addToMatchLabels("backup", "true")
                .addNewMatchExpression().withKey("tier").withOperator("In").withValues("db", "web").endMatchExpression()
                .addNewMatchExpression().withKey("env").withOperator("NotIn").withValues("test").endMatchExpression()
                .addNewMatchExpression().withKey("owner").withOperator("Exists").endMatchExpression()
                .addNewMatchExpression().withKey("scratch").withOperator("DoesNotExist").endMatchExpression().build();
        Map<String, String> db = Map.of("backup", "true", "tier", "db", "owner", "ops");
        assertThat(Selectors.matches(selector, db)).isTrue();
        assertThat(Selectors.matches(selector, Map.of("backup", "false", "tier", "db", "owner", "ops"))).isFalse();
        assertThat(Selectors.matches(selector, Map.of("backup", "true", "tier", "cache", "owner", "ops"))).isFalse();
        assertThat(Selectors.matches(selector, Map.of("backup", "true", "tier", "db", "owner", "ops", "env", "test"))).isFalse();
        assertThat(Selectors.matches(selector, Map.of("backup", "true", "tier", "db"))).as("owner must exist").isFalse();
        assertThat(Selectors.matches(selector, Map.of("backup", "true", "tier", "db", "owner", "ops", "scratch", ""))).isFalse();
        assertThat(Selectors.matches(selector, null)).isFalse();
        assertThat(Selectors.problem(selector)).isNull();
        assertThat(Selectors.problem(new LabelSelectorBuilder().addNewMatchExpression().withKey("a").withOperator("Like")
                .withValues("x").endMatchExpression().build())).contains("not In, NotIn, Exists or DoesNotExist");
        assertThat(Selectors.problem(new LabelSelectorBuilder().addNewMatchExpression().withKey("a").withOperator("In")
                .endMatchExpression().build())).contains("needs values");
    }
}
