package dev.ferry.controllers.datasource;

import dev.ferry.api.cdi.v1beta1.DataSource;
import dev.ferry.api.cdi.v1beta1.DataVolumeSource;
import java.util.Objects;
import java.util.function.Function;

/**
 * What a DataSource finally points at: its claim or snapshot, or — one level only, within its
 * namespace — the claim or snapshot of the DataSource it names, as CDI resolves it.
 *
 * @param source the claim or snapshot ({@code pvc} or {@code snapshot} set, namespace filled in), or null
 * @param reason CDI's Ready reason when there is none (NoSource, NotFound, SelfReference,
 *     CrossNamespaceReference, MaxReferenceDepthReached), else null
 * @param message what is wrong, for people
 */
public record DataSourceReference(DataSource.Source source, String reason, String message) {
    public static final String NO_SOURCE = "NoSource";
    public static final String NOT_FOUND = "NotFound";
    public static final String SELF_REFERENCE = "SelfReference";
    public static final String CROSS_NAMESPACE_REFERENCE = "CrossNamespaceReference";
    public static final String MAX_REFERENCE_DEPTH_REACHED = "MaxReferenceDepthReached";

    /** {@code sameNamespace} finds another DataSource of {@code ds}'s namespace by name (null when there is none). */
    public static DataSourceReference resolve(DataSource ds, Function<String, DataSource> sameNamespace) {
        String namespace = ds.getMetadata().getNamespace();
        DataSource.Source source = ds.getSpec() == null ? null : ds.getSpec().source;
        if (source == null || (source.pvc == null && source.snapshot == null && source.dataSource == null)) {
            return problem(NO_SOURCE, "DataSource " + namespace + "/" + ds.getMetadata().getName() + " names no source");
        }
        if (source.dataSource == null) {
            return new DataSourceReference(filled(source, namespace), null, null);
        }
        DataVolumeSource.ObjectRef ref = source.dataSource;
        if (ref.namespace != null && !ref.namespace.isEmpty() && !ref.namespace.equals(namespace)) {
            return problem(CROSS_NAMESPACE_REFERENCE, "a DataSource may only reference a DataSource of its own namespace " + namespace
                    + ", not " + ref.namespace + "/" + ref.name);
        }
        if (Objects.equals(ref.name, ds.getMetadata().getName())) {
            return problem(SELF_REFERENCE, "DataSource " + namespace + "/" + ref.name + " references itself");
        }
        DataSource referenced = sameNamespace.apply(ref.name);
        if (referenced == null) {
            return problem(NOT_FOUND, "DataSource " + namespace + "/" + ref.name + " not found");
        }
        DataSource.Source next = referenced.getSpec() == null ? null : referenced.getSpec().source;
        if (next != null && next.dataSource != null) {
            return problem(MAX_REFERENCE_DEPTH_REACHED, "DataSource " + namespace + "/" + ref.name
                    + " references another DataSource; one level of reference is the most");
        }
        if (next == null || (next.pvc == null && next.snapshot == null)) {
            return problem(NO_SOURCE, "DataSource " + namespace + "/" + ref.name + " names no source");
        }
        return new DataSourceReference(filled(next, namespace), null, null);
    }

    /** As a DataVolume's {@code spec.source}. */
    public DataVolumeSource asDataVolumeSource() {
        if (source == null) {
            return null;
        }
        DataVolumeSource dvSource = new DataVolumeSource();
        dvSource.pvc = source.pvc;
        dvSource.snapshot = source.snapshot;
        return dvSource;
    }

    private static DataSourceReference problem(String reason, String message) {
        return new DataSourceReference(null, reason, message);
    }

    /** A copy with the namespace of an unqualified reference set to {@code namespace}. */
    private static DataSource.Source filled(DataSource.Source source, String namespace) {
        DataSource.Source copy = new DataSource.Source();
        copy.pvc = qualified(source.pvc, namespace);
        copy.snapshot = copy.pvc == null ? qualified(source.snapshot, namespace) : null;
        return copy;
    }

    private static DataVolumeSource.ObjectRef qualified(DataVolumeSource.ObjectRef ref, String namespace) {
        if (ref == null) {
            return null;
        }
        DataVolumeSource.ObjectRef copy = new DataVolumeSource.ObjectRef();
        copy.namespace = ref.namespace == null || ref.namespace.isEmpty() ? namespace : ref.namespace;
        copy.name = ref.name;
        return copy;
    }
}
