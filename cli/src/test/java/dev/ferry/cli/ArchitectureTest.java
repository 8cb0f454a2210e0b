package dev.ferry.cli;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.properties.HasName.Predicates.name;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The layering of ARCHITECTURE.md §2, checked on the compiled classes of every module the reactor
 * lists — by rule, so a module added later is covered without editing this test. The control
 * plane is {@value #CONTROL_PLANE}; every other module is data plane (or the worker contract).
 */
class ArchitectureTest {
    private static final String CONTROL_PLANE = "api, controllers, local, cli";
    private static final Set<String> CONTROL_MODULES = Set.of("api", "controllers", "local", "cli");
    /** The Kubernetes client, not the model: api/ types extend CustomResource, which lives in the client's package. */
    private static final DescribedPredicate<JavaClass> CLIENT = resideInAPackage("io.fabric8.kubernetes.client..")
            .and(not(name("io.fabric8.kubernetes.client.CustomResource"))).as("are the fabric8 Kubernetes client");
    private static final Path ROOT = Path.of("..");

    private static List<String> modules;
    private static JavaClasses all;

    @BeforeAll
    static void importEveryModule() throws IOException {
        modules = reactorModules();
        for (String module : modules) {
            assertThat(ROOT.resolve(module).resolve("target/classes")).as("module %s is compiled before cli's tests", module).isDirectory();
        }
        all = new ClassFileImporter().importPaths(modules.stream().map(m -> ROOT.resolve(m).resolve("target/classes")).toList());
        for (String module : modules) {
            assertThat(all.containPackage(packageOf(module))).as("module %s keeps its classes in %s", module, packageOf(module)).isTrue();
        }
    }

    @Test
    void dataPlaneModulesNeverUseTheKubernetesClient() {
        noClasses().that().resideInAnyPackage(dataPlanePackages()).should().dependOnClassesThat(CLIENT)
                .because("workers get everything from their environment and report through the termination message")
                .check(all);
    }

    @Test
    void controllersImportNoDataPlanePackage() {
        noClasses().that().resideInAPackage("dev.ferry.controllers..").should().dependOnClassesThat()
                .resideInAnyPackage(dataPlanePackagesExceptWorker())
                .because("the operator process ships without libvirt, Netty or the disk engine; contracts are types in worker/")
                .check(all);
    }

    @Test
    void onlyK8sAppAndLocalPackagesTouchTheClient() {
        classes().that(DescribedPredicate.describe("use the fabric8 Kubernetes client", (JavaClass c) -> c.getDirectDependenciesFromSelf()
                .stream().anyMatch(d -> CLIENT.test(d.getTargetClass())))).should().resideInAnyPackage("..k8s..", "..app..", "dev.ferry.local..",
                "dev.ferry.cli..").because("decisions and builders are pure functions of model objects").check(all);
    }

    @Test
    void theWorkerContractDependsOnNoOtherFerryModule() {
        noClasses().that().resideInAPackage("dev.ferry.worker..").should().dependOnClassesThat()
                .resideInAnyPackage(modules.stream().filter(m -> !m.equals("worker")).map(m -> packageOf(m) + "..").toArray(String[]::new))
                .because("both sides of a process boundary depend on it").check(all);
    }

    private static String[] dataPlanePackages() {
        return modules.stream().filter(m -> !CONTROL_MODULES.contains(m)).map(m -> packageOf(m) + "..").toArray(String[]::new);
    }

    private static String[] dataPlanePackagesExceptWorker() {
        return modules.stream().filter(m -> !CONTROL_MODULES.contains(m) && !m.equals("worker")).map(m -> packageOf(m) + "..")
                .toArray(String[]::new);
    }

    /** dev.ferry.&lt;module without dashes&gt;: vm-runtime → dev.ferry.vmruntime. */
    private static String packageOf(String module) {
        return "dev.ferry." + module.replace("-", "");
    }

    /** The modules the parent POM lists. */
    private static List<String> reactorModules() throws IOException {
        Matcher m = Pattern.compile("<module>([^<]+)</module>").matcher(Files.readString(ROOT.resolve("pom.xml")));
        Stream.Builder<String> found = Stream.builder();
        while (m.find()) {
            found.add(m.group(1).trim());
        }
        List<String> list = found.build().toList();
        assertThat(list).as("the reactor's modules").contains("api", "worker", "controllers", "cli");
        return list;
    }
}
