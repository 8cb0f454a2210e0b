package dev.ferry.api.app;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceColumnDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersion;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Build step after the CRD generator (an entry point, run by exec-maven-plugin): puts each version's {@code additionalPrinterColumns} in the
 * order its class declares its {@link AdditionalPrinterColumn}s (the generator sorts them by
 * JSONPath), so {@code kubectl get dv} reads PHASE PROGRESS RESTARTS AGE as CDI's does.
 * Arguments: the compiled classes directory and the CRD directory.
 */
public final class PrinterColumnOrder {
    private PrinterColumnOrder() {
    }

    public static void main(String[] args) throws IOException, ClassNotFoundException {
        Path classes = Path.of(args[0]);
        Map<String, List<String>> order = new HashMap<>();
        List<Path> files;
        try (Stream<Path> walk = Files.walk(classes)) {
            files = walk.filter(p -> p.toString().endsWith(".class") && !p.getFileName().toString().contains("$")).toList();
        }
        for (Path file : files) {
            String name = classes.relativize(file).toString().replace('/', '.').replaceAll("\\.class$", "");
            Class<?> type = Class.forName(name, false, PrinterColumnOrder.class.getClassLoader());
            if (!CustomResource.class.isAssignableFrom(type) || type.getAnnotationsByType(AdditionalPrinterColumn.class).length == 0) {
                continue;
            }
            @SuppressWarnings("unchecked")
            Class<? extends HasMetadata> resource = (Class<? extends HasMetadata>) type;
            List<String> names = new ArrayList<>();
            for (AdditionalPrinterColumn c : type.getAnnotationsByType(AdditionalPrinterColumn.class)) {
                names.add(c.name());
            }
            order.put(HasMetadata.getApiVersion(resource) + "/" + HasMetadata.getKind(resource), names);
        }
        try (Stream<Path> crds = Files.list(Path.of(args[1]))) {
            for (Path file : crds.filter(p -> p.toString().endsWith(".yml")).sorted().toList()) {
                reorder(file, order);
            }
        }
    }

    private static void reorder(Path file, Map<String, List<String>> order) throws IOException {
        CustomResourceDefinition crd;
        try (InputStream in = Files.newInputStream(file)) {
            crd = Serialization.unmarshal(in, CustomResourceDefinition.class);
        }
        boolean changed = false;
        for (CustomResourceDefinitionVersion version : crd.getSpec().getVersions()) {
            List<String> names = order.get(crd.getSpec().getGroup() + "/" + version.getName() + "/" + crd.getSpec().getNames().getKind());
            List<CustomResourceColumnDefinition> columns = version.getAdditionalPrinterColumns();
            if (names == null || columns == null) {
                continue;
            }
            List<CustomResourceColumnDefinition> sorted = new ArrayList<>(columns);
            sorted.sort(Comparator.comparingInt(c -> names.contains(c.getName()) ? names.indexOf(c.getName()) : names.size()));
            if (!sorted.equals(columns)) {
                version.setAdditionalPrinterColumns(sorted);
                changed = true;
            }
        }
        if (changed) {
            String header = Files.readAllLines(file).get(0);
            String yaml = Serialization.asYaml(crd);
            Files.writeString(file, (header.startsWith("#") ? header + "\n" : "") + yaml.replaceFirst("^---\n", ""));
        }
    }
}
