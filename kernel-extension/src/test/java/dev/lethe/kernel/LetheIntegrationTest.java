package dev.lethe.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.lethe.Lethe;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class LetheIntegrationTest {
    /** Packages of lethe-dsl that {@code %use lethe} deliberately does not import, with the reason. */
    private static final Map<String, String> NOT_IMPORTED = Map.of(
            "dev.lethe.cli", "the command line",
            "dev.lethe.io", "file plumbing (atomic writes, confined paths)",
            "dev.lethe.io.parquet", "the Parquet reader behind the benchmark files' loaders (dev.lethe.data)",
            "dev.lethe.part", "the registry of recipe-file parts, for writing extensions (docs/extending.md)",
            "dev.lethe.util", "helpers of the library itself",
            "dev.lethe.eval.stats", "the statistics behind the metrics");

    @Test
    void everyPackageOfTheDslIsImportedOrLeftOutOnPurpose() throws Exception {
        Path classes = Path.of(Lethe.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Set<String> packages;
        try (Stream<Path> files = Files.walk(classes.resolve("dev/lethe"))) {
            packages = files.filter(f -> f.toString().endsWith(".class"))
                    .map(f -> classes.relativize(f.getParent()).toString().replace('/', '.'))
                    .collect(Collectors.toCollection(TreeSet::new));
        }
        Set<String> covered = new TreeSet<>(NOT_IMPORTED.keySet());
        LetheIntegration.IMPORTS.stream().filter(i -> i.endsWith(".*") && Character.isLowerCase(lastSegment(i)))
                .map(i -> i.substring(0, i.length() - 2)).forEach(covered::add);
        assertEquals(packages, new TreeSet<>(packages.stream().filter(covered::contains).toList()),
                "a package of lethe-dsl is neither imported by %use lethe (LetheIntegration.IMPORTS) nor listed here as "
                        + "left out: " + packages.stream().filter(p -> !covered.contains(p)).toList());
    }

    private static char lastSegment(String wildcardImport) {
        String pkg = wildcardImport.substring(0, wildcardImport.length() - 2);
        return pkg.charAt(pkg.lastIndexOf('.') + 1);
    }
}
