package dev.ferry.controllers.dataimportcron;

import dev.ferry.api.cdi.v1beta1.DataImportCron;
import dev.ferry.api.cdi.v1beta1.DataSource;
import dev.ferry.controllers.runtime.Event;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * What a reconcile of a DataImportCron decided.
 *
 * @param annotate the cron's annotations to set (digest, cron times, poll failures; a null value removes one)
 * @param create objects to create, in order (the poller Pod, an import DataVolume, a snapshot)
 * @param delete objects to delete (a finished poller, a failed import replaced, collected imports)
 * @param dataSource the managed DataSource as it should be (created or updated), or null to leave it
 * @param status the cron's status
 * @param event the event to record, or null
 * @param requeueAfter when to look again without a change (the next scheduled poll), or null
 */
public record DicPlan(Map<String, String> annotate, List<HasMetadata> create, List<HasMetadata> delete, DataSource dataSource,
        DataImportCron.Status status, Event event, Duration requeueAfter) {
}
