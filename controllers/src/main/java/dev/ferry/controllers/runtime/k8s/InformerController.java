package dev.ferry.controllers.runtime.k8s;

import dev.ferry.controllers.runtime.ObjectKey;
import dev.ferry.controllers.runtime.Reconciler;
import dev.ferry.controllers.runtime.WorkQueue;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.informers.cache.Store;
import io.fabric8.kubernetes.client.dsl.Informable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * One controller: a reconciler fed by a work queue, woken by informers — on its own kind
 * ({@code P}, the primary) and on the kinds that lead back to it (claims, Pods, VMIs …), each
 * mapped to the keys of the primaries it concerns. fabric8 informers rather than
 * java-operator-sdk: the operator SDK's server-side-apply and dependent-resource machinery does
 * not run on the CRUD mock server tests and local mode use.
 *
 * @param <P> the kind it reconciles
 */
public final class InformerController<P extends HasMetadata> implements AutoCloseable {
    private static final long RESYNC_MS = Duration.ofMinutes(5).toMillis();
    private static final java.util.logging.Logger LOG = java.util.logging.Logger.getLogger(InformerController.class.getName());

    private record Watch<T extends HasMetadata, P extends HasMetadata>(Function<KubernetesClient, Informable<T>> source,
            BiFunction<T, Store<P>, Collection<ObjectKey>> keys, boolean optional) {
    }

    private final String name;
    private final Function<KubernetesClient, Informable<P>> primary;
    private final List<Watch<?, P>> watches = new ArrayList<>();
    private final List<SharedIndexInformer<?>> informers = new ArrayList<>();
    private final Reconciler reconciler;
    private WorkQueue queue;
    private SharedIndexInformer<P> primaries;

    public InformerController(String name, Function<KubernetesClient, Informable<P>> primary, Reconciler reconciler) {
        this.name = name;
        this.primary = primary;
        this.reconciler = reconciler;
    }

    /** Objects of another kind wake the primaries {@code keys} names (it may look them up in the primaries' cache). */
    public <T extends HasMetadata> InformerController<P> watch(Function<KubernetesClient, Informable<T>> source,
            BiFunction<T, Store<P>, Collection<ObjectKey>> keys) {
        watches.add(new Watch<>(source, keys, false));
        return this;
    }

    /**
     * As {@link #watch}, for a kind the cluster may not serve (the CSI snapshot API): without it the
     * controller runs on, and whoever waits for such objects looks again on its own.
     */
    public <T extends HasMetadata> InformerController<P> watchIfServed(Function<KubernetesClient, Informable<T>> source,
            BiFunction<T, Store<P>, Collection<ObjectKey>> keys) {
        watches.add(new Watch<>(source, keys, true));
        return this;
    }

    /** Objects of another kind wake the primaries named by their owner references of {@code kind}. */
    public <T extends HasMetadata> InformerController<P> watchOwned(Function<KubernetesClient, Informable<T>> source, String kind) {
        return watch(source, (object, store) -> owners(object, kind));
    }

    public synchronized void start(KubernetesClient client) {
        queue = new WorkQueue(name, reconciler, KubernetesRetryPolicy.INSTANCE);
        primaries = primary.apply(client).inform(handler(object -> List.of(ObjectKey.of(object))), RESYNC_MS);
        informers.add(primaries);
        for (Watch<?, P> watch : watches) {
            try {
                informers.add(inform(client, watch));
            } catch (KubernetesClientException e) {
                if (!watch.optional() || e.getCode() != 404) {
                    throw e;
                }
                LOG.warning(() -> name + ": the cluster does not serve a kind this controller watches (" + e.getMessage()
                        + "); it looks again on a timer instead");
            }
        }
    }

    private <T extends HasMetadata> SharedIndexInformer<T> inform(KubernetesClient client, Watch<T, P> watch) {
        return watch.source().apply(client).inform(handler(object -> watch.keys().apply(object, primaries.getStore())), RESYNC_MS);
    }

    /** Whether every informer has listed its objects once (and now watches). */
    public synchronized boolean synced() {
        return !informers.isEmpty() && informers.stream().allMatch(SharedIndexInformer::hasSynced);
    }

    /** The primaries as the informer last saw them (empty before {@link #start}). */
    public synchronized List<P> cached() {
        return primaries == null ? List.of() : primaries.getStore().list();
    }

    private <T extends HasMetadata> ResourceEventHandler<T> handler(Function<T, Collection<ObjectKey>> keys) {
        return new ResourceEventHandler<>() {
            @Override
            public void onAdd(T object) {
                keys.apply(object).forEach(queue::add);
            }

            @Override
            public void onUpdate(T before, T after) {
                keys.apply(after).forEach(queue::add);
            }

            @Override
            public void onDelete(T object, boolean finalStateUnknown) {
                keys.apply(object).forEach(queue::add);
            }
        };
    }

    /** The objects of {@code kind} that own {@code object}, by owner reference. */
    public static Collection<ObjectKey> owners(HasMetadata object, String kind) {
        return object.getMetadata().getOwnerReferences() == null ? List.of() : object.getMetadata().getOwnerReferences().stream()
                .filter(o -> kind.equals(o.getKind())).map(o -> new ObjectKey(object.getMetadata().getNamespace(), o.getName()))
                .toList();
    }

    @Override
    public synchronized void close() {
        informers.forEach(SharedIndexInformer::close);
        informers.clear();
        if (queue != null) {
            queue.close();
        }
        primaries = null;
    }
}
