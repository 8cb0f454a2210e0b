package dev.ferry.controllers.runtime;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import java.util.List;
import java.util.Map;

/** Kubernetes label selectors, matched as the API server matches them. */
public final class Selectors {
    private Selectors() {
    }

    /** Whether {@code labels} satisfy {@code selector}; a null or empty selector matches everything. */
    public static boolean matches(LabelSelector selector, Map<String, String> labels) {
        if (selector == null) {
            return true;
        }
        Map<String, String> have = labels == null ? Map.of() : labels;
        if (selector.getMatchLabels() != null) {
            for (Map.Entry<String, String> wanted : selector.getMatchLabels().entrySet()) {
                if (!wanted.getValue().equals(have.get(wanted.getKey()))) {
                    return false;
                }
            }
        }
        if (selector.getMatchExpressions() != null) {
            for (LabelSelectorRequirement requirement : selector.getMatchExpressions()) {
                if (!matches(requirement, have)) {
                    return false;
                }
            }
        }
        return true;
    }

    /** Why a selector cannot be used (an unknown operator, values where none may be), or null. */
    public static String problem(LabelSelector selector) {
        if (selector == null || selector.getMatchExpressions() == null) {
            return null;
        }
        for (LabelSelectorRequirement requirement : selector.getMatchExpressions()) {
            List<String> values = requirement.getValues() == null ? List.of() : requirement.getValues();
            switch (String.valueOf(requirement.getOperator())) {
                case "In", "NotIn" -> {
                    if (values.isEmpty()) {
                        return "selector " + requirement.getKey() + " " + requirement.getOperator() + " needs values";
                    }
                }
                case "Exists", "DoesNotExist" -> {
                    if (!values.isEmpty()) {
                        return "selector " + requirement.getKey() + " " + requirement.getOperator() + " takes no values";
                    }
                }
                default -> {
                    return "selector operator \"" + requirement.getOperator() + "\" is not In, NotIn, Exists or DoesNotExist";
                }
            }
        }
        return null;
    }

    private static boolean matches(LabelSelectorRequirement requirement, Map<String, String> labels) {
        String value = labels.get(requirement.getKey());
        List<String> values = requirement.getValues() == null ? List.of() : requirement.getValues();
        return switch (String.valueOf(requirement.getOperator())) {
            case "In" -> value != null && values.contains(value);
            case "NotIn" -> value == null || !values.contains(value);
            case "Exists" -> value != null;
            case "DoesNotExist" -> value == null;
            default -> false;
        };
    }
}
