package dev.ferry.controllers.schedule;

import dev.ferry.controllers.runtime.Event;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.time.Duration;
import java.util.List;

/**
 * What one look at a snapshot schedule does: snapshots to create and to delete (by name), the
 * schedule's new status, events, how many snapshots were newly seen failed, and when to look again.
 *
 * @param <S> the schedule's status type
 */
public record SchedulePlan<S>(List<? extends HasMetadata> create, List<String> delete, S status, List<Event> events,
        int failed, Duration requeue) {
}
