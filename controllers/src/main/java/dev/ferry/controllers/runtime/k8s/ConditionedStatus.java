package dev.ferry.controllers.runtime.k8s;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.api.meta.Condition;
import dev.ferry.controllers.runtime.Conditions;
import io.fabric8.kubernetes.client.CustomResource;
import java.time.Clock;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * How an object whose status carries conditions (snapshots, restores, clones, schedules) has its
 * status written: only when the decision says something new — conditions compared without their
 * times, the rest as JSON after {@code comparable} (which may blank what changes on every pass,
 * such as an error's time) — and with the conditions' transition times carried over.
 */
public final class ConditionedStatus<S, C extends Condition> {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Class<S> type;
    private final Function<S, List<C>> conditions;
    private final BiConsumer<S, List<C>> setConditions;
    private final UnaryOperator<S> comparable;

    public ConditionedStatus(Class<S> type, Function<S, List<C>> conditions,
            BiConsumer<S, List<C>> setConditions, UnaryOperator<S> comparable) {
        this.type = type;
        this.conditions = conditions;
        this.setConditions = setConditions;
        this.comparable = comparable;
    }

    public <T extends CustomResource<?, S>> void write(Apply apply, Clock clock, T object, S desired) {
        if (desired == null) {
            return;
        }
        S current = object.getStatus();
        if (current != null && Conditions.same(conditions.apply(desired), conditions.apply(current))
                && JSON.valueToTree(withoutConditions(desired)).equals(JSON.valueToTree(withoutConditions(current)))) {
            return;
        }
        List<C> wanted = conditions.apply(desired);
        setConditions.accept(desired, wanted == null ? null
                : Conditions.stamp(wanted, current == null ? null : conditions.apply(current), clock.instant()));
        apply.editStatus(object, latest -> {
            latest.setStatus(desired);
            return latest;
        });
    }

    private S withoutConditions(S status) {
        S copy = JSON.convertValue(status, type);
        setConditions.accept(copy, null);
        return comparable.apply(copy);
    }
}
