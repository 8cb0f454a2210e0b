package dev.ferry.local.api;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Label and field selectors as kube-apiserver evaluates them — the mock server ignores set-based
 * label selectors ({@code in}, {@code notin}) and every field but {@code metadata.name}, so local
 * mode's front filters lists and watches itself.
 */
final class Selectors {
    private static final Pattern SET = Pattern.compile("^\\s*([\\w./-]+)\\s+(in|notin)\\s*\\(([^)]*)\\)\\s*$");
    private static final Pattern COMPARE = Pattern.compile("^\\s*([\\w./-]+)\\s*(==|=|!=)\\s*([\\w./-]*)\\s*$");
    private static final Pattern EXISTS = Pattern.compile("^\\s*(!?)\\s*([\\w./-]+)\\s*$");

    private Selectors() {
    }

    /** A predicate over objects for a {@code labelSelector}; refuses what it cannot parse. */
    static Predicate<JsonNode> labels(String selector) {
        Predicate<JsonNode> all = o -> true;
        if (selector == null || selector.isBlank()) {
            return all;
        }
        for (String term : split(selector)) {
            Matcher set = SET.matcher(term);
            Matcher compare = COMPARE.matcher(term);
            Matcher exists = EXISTS.matcher(term);
            Predicate<JsonNode> p;
            if (set.matches()) {
                String key = set.group(1);
                Set<String> values = java.util.Arrays.stream(set.group(3).split(",")).map(String::trim).filter(v -> !v.isEmpty())
                        .collect(java.util.stream.Collectors.toSet());
                boolean in = set.group(2).equals("in");
                p = o -> {
                    JsonNode v = o.path("metadata").path("labels").get(key);
                    return in ? v != null && values.contains(v.asText()) : v == null || !values.contains(v.asText());
                };
            } else if (compare.matches()) {
                String key = compare.group(1);
                String value = compare.group(3);
                boolean equal = !compare.group(2).equals("!=");
                p = o -> {
                    JsonNode v = o.path("metadata").path("labels").get(key);
                    return equal ? v != null && v.asText().equals(value) : v == null || !v.asText().equals(value);
                };
            } else if (exists.matches()) {
                String key = exists.group(2);
                boolean negated = !exists.group(1).isEmpty();
                p = o -> o.path("metadata").path("labels").has(key) != negated;
            } else {
                throw new IllegalArgumentException("unable to parse requirement: " + term);
            }
            all = all.and(p);
        }
        return all;
    }

    /** A predicate for a {@code fieldSelector} of {@code path=value}, {@code path==value}, {@code path!=value} terms. */
    static Predicate<JsonNode> fields(String selector) {
        Predicate<JsonNode> all = o -> true;
        if (selector == null || selector.isBlank()) {
            return all;
        }
        for (String term : selector.split(",")) {
            int at = term.indexOf("!=");
            boolean equal = at < 0;
            if (equal) {
                at = term.indexOf('=');
            }
            if (at <= 0) {
                throw new IllegalArgumentException("invalid selector: '" + selector + "'; can't understand '" + term + "'");
            }
            String path = term.substring(0, at).trim();
            String value = term.substring(at + (equal ? (term.startsWith("==", at) ? 2 : 1) : 2)).trim();
            all = all.and(o -> {
                JsonNode node = o;
                for (String part : path.split("\\.")) {
                    node = node.path(part);
                }
                String actual = node.isMissingNode() || node.isNull() ? "" : node.asText();
                return actual.equals(value) == equal;
            });
        }
        return all;
    }

    /** Splits at commas outside parentheses. */
    private static List<String> split(String selector) {
        List<String> terms = new ArrayList<>();
        int depth = 0;
        int start = 0;
        for (int i = 0; i < selector.length(); i++) {
            char c = selector.charAt(i);
            if (c == '(') {
                depth++;
            } else if (c == ')') {
                depth--;
            } else if (c == ',' && depth == 0) {
                terms.add(selector.substring(start, i));
                start = i + 1;
            }
        }
        terms.add(selector.substring(start));
        return terms;
    }
}
