package io.deepnets.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The package map of ARCHITECTURE.md, enforced over the compiled classes: no cycle between packages, and each
 * package imports none of what its {@code package-info.java} says it may not import (read from the source, so
 * the documentation and the check cannot drift apart).
 */
class ArchitectureTest {
    private static final Path SOURCES = Path.of("src/main/java/io/deepnets");
    private static final Pattern MAY_NOT = Pattern.compile("May not import:([^.;]*)[.;]");
    private static JavaClasses classes;

    @BeforeAll
    static void importClasses() {
        classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS).importPackages("io.deepnets");
    }

    @Test
    void packagesFormNoCycle() {
        slices().matching("io.deepnets.(*)..").should().beFreeOfCycles().check(classes);
    }

    @Test
    void everyPackageSaysWhatItMayNotImport() throws IOException {
        TreeMap<String, List<String>> rules = mayNotImport();
        TreeSet<String> packages = new TreeSet<>();
        try (Stream<Path> dirs = Files.list(SOURCES)) {
            dirs.filter(Files::isDirectory).forEach(d -> packages.add(d.getFileName().toString()));
        }
        assertEquals(packages, new TreeSet<>(rules.keySet()), "a package-info.java with a 'May not import:' line in every package");
        for (var rule : rules.entrySet()) {
            for (String forbidden : rule.getValue()) {
                assertTrue(packages.contains(forbidden), rule.getKey() + "/package-info.java names an unknown package " + forbidden);
            }
        }
        assertTrue(rules.get("config").containsAll(packages.stream().filter(p -> !p.equals("config")).toList()), "config is at the bottom");
        assertTrue(rules.get("model").containsAll(packages.stream().filter(p -> !p.equals("model") && !p.equals("config")).toList()),
                "model depends on config only");
    }

    @Test
    void noPackageImportsWhatItsPackageInfoForbids() throws IOException {
        for (var rule : mayNotImport().entrySet()) {
            if (rule.getValue().isEmpty()) {
                continue;
            }
            String[] forbidden = rule.getValue().stream().map(p -> "io.deepnets." + p + "..").toArray(String[]::new);
            noClasses().that().resideInAPackage("io.deepnets." + rule.getKey() + "..").should().dependOnClassesThat()
                    .resideInAnyPackage(forbidden).because(rule.getKey() + "/package-info.java forbids it").check(classes);
        }
    }

    @Test
    void configKnowsNothingOfDl4jAndNothingImportsTheCli() {
        noClasses().that().resideInAPackage("io.deepnets.config..").should().dependOnClassesThat()
                .resideInAnyPackage("org.deeplearning4j..", "org.nd4j..").check(classes);
        noClasses().that().resideOutsideOfPackage("io.deepnets.cli..").should().dependOnClassesThat()
                .resideInAPackage("io.deepnets.cli..").check(classes);
    }

    /** The engine's three parts: the steps (plans) use the kernels and the update; neither of those knows a step or the other. */
    @Test
    void theEngineKernelsAndUpdateKnowNoStep() {
        noClasses().that().resideInAPackage("io.deepnets.engine.kernels..").should().dependOnClassesThat()
                .resideInAnyPackage("io.deepnets.engine", "io.deepnets.engine.update..").check(classes);
        noClasses().that().resideInAPackage("io.deepnets.engine.update..").should().dependOnClassesThat()
                .resideInAnyPackage("io.deepnets.engine", "io.deepnets.engine.kernels..").check(classes);
    }

    @Test
    void onlyTheCliExits() {
        noClasses().that().resideOutsideOfPackage("io.deepnets.cli..").should().callMethod(System.class, "exit", int.class).check(classes);
    }

    /** package name -> the packages its package-info.java forbids. */
    static TreeMap<String, List<String>> mayNotImport() throws IOException {
        TreeMap<String, List<String>> rules = new TreeMap<>();
        try (Stream<Path> infos = Files.list(SOURCES)) {
            for (Path dir : infos.filter(Files::isDirectory).toList()) {
                Path info = dir.resolve("package-info.java");
                if (!Files.isRegularFile(info)) {
                    continue;
                }
                String text = Files.readString(info).replaceAll("\\s*\\*\\s*", " ").replaceAll("\\([^)]*\\)", "");
                Matcher m = MAY_NOT.matcher(text);
                if (!m.find()) {
                    continue;
                }
                List<String> names = new ArrayList<>();
                for (String part : m.group(1).split(",")) {
                    String name = part.trim();
                    if (name.matches("[a-z]+")) {
                        names.add(name);
                    } else {
                        assertFalse(name.isEmpty() && m.group(1).contains(","), dir + ": empty entry in 'May not import'");
                    }
                }
                rules.put(dir.getFileName().toString(), names);
            }
        }
        return rules;
    }

    @Test
    void parsesTheRuleLines() throws IOException {
        assertEquals(Arrays.asList("train", "engine", "report", "predict", "lowlevel", "bench", "run", "suite", "sweep", "scratchrun", "filters", "serve", "explain", "cli"),
                mayNotImport().get("runs"));
        assertEquals(List.of(), mayNotImport().get("cli"));
    }
}
