package dev.ferry.controllers.runtime;

import dev.ferry.api.meta.Condition;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * Status conditions of every kind (CDI's and KubeVirt's): made, found, compared times aside, and
 * stamped so a condition keeps its transition time while its status does not change.
 */
public final class Conditions {
    private Conditions() {
    }

    public static <C extends Condition> C of(Supplier<C> kind, String type, String status, String reason, String message) {
        C condition = kind.get();
        condition.type = type;
        condition.status = status;
        condition.reason = reason;
        condition.message = message;
        return condition;
    }

    public static <C extends Condition> C of(Supplier<C> kind, String type, boolean status, String reason, String message) {
        return of(kind, type, status ? Condition.TRUE : Condition.FALSE, reason, message);
    }

    public static <C extends Condition> C find(List<? extends C> conditions, String type) {
        return conditions == null ? null : conditions.stream().filter(c -> type.equals(c.type)).findFirst().orElse(null);
    }

    public static boolean isTrue(List<? extends Condition> conditions, String type) {
        return conditions != null && conditions.stream().anyMatch(c -> type.equals(c.type) && c.isTrue());
    }

    /** Whether two lists say the same, condition by condition, whatever their order and times. */
    public static boolean same(List<? extends Condition> a, List<? extends Condition> b) {
        List<? extends Condition> left = a == null ? List.of() : a;
        List<? extends Condition> right = b == null ? List.of() : b;
        return left.size() == right.size() && left.stream().allMatch(c -> c.sameAs(find(right, c.type)));
    }

    /**
     * {@code desired} with each condition's transition time kept from {@code current} while its
     * status is unchanged, else {@code now}.
     */
    public static <C extends Condition> List<C> stamp(List<C> desired, List<? extends Condition> current, Instant now) {
        List<C> stamped = new ArrayList<>();
        for (C condition : desired == null ? List.<C>of() : desired) {
            Condition before = find(current, condition.type);
            condition.lastTransitionTime = before != null && before.lastTransitionTime != null
                    && java.util.Objects.equals(before.status, condition.status) ? before.lastTransitionTime : now.toString();
            stamped.add(condition);
        }
        return stamped;
    }

    /** {@code conditions} with {@code wanted} in place of any condition of its type. */
    public static <C extends Condition> List<C> put(List<C> conditions, C wanted) {
        List<C> next = new ArrayList<>(conditions == null ? List.of() : conditions);
        next.removeIf(c -> wanted.type.equals(c.type));
        next.add(wanted);
        return next;
    }
}
