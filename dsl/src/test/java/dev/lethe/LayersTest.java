package dev.lethe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The packages of {@code dsl} form one-way layers (DESIGN.md): a package uses only packages of its own layer or
 * below, and no two packages use each other, directly or through others. Read from the sources (imports and
 * fully qualified names, comments left out), so a new back-edge fails here naming the files that make it.
 */
class LayersTest {
    private static final Path SOURCES = Path.of("src/main/java");
    private static final Pattern PACKAGE = Pattern.compile("^package ([\\w.]+);", Pattern.MULTILINE);
    private static final Pattern IMPORT = Pattern.compile("^import (?:static )?([\\w.]+?)(?:\\.\\*)?;", Pattern.MULTILINE);
    private static final Pattern QUALIFIED = Pattern.compile("\\b(dev\\.lethe(?:\\.[a-z]\\w*)*\\.[A-Z]\\w*)");
    private static final Pattern COMMENTS = Pattern.compile("/\\*.*?\\*/|//[^\\n]*", Pattern.DOTALL);

    /** The layers, lowest first; a package may use its own layer and those before it. */
    static final List<List<String>> LAYERS = List.of(
            List.of("dev.lethe.util", "dev.lethe.io", "dev.lethe.io.parquet"),
            List.of("dev.lethe.part"),
            List.of("dev.lethe.model", "dev.lethe.data"),
            List.of("dev.lethe.optim", "dev.lethe.eval.stats"),
            List.of("dev.lethe.objective", "dev.lethe.eval", "dev.lethe.adapter", "dev.lethe.attack"),
            List.of("dev.lethe.spec"),
            List.of("dev.lethe.result"),
            List.of("dev.lethe.recipe", "dev.lethe.run"),
            List.of("dev.lethe.report"),
            List.of("dev.lethe", "dev.lethe.cli"));

    /** Package → the packages it uses → the files that use them. */
    static Map<String, Map<String, Set<String>>> graph(Path root) throws IOException {
        Map<String, String> classes = new HashMap<>();
        Map<Path, String> packages = new LinkedHashMap<>();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).sorted().toList()) {
                Matcher m = PACKAGE.matcher(Files.readString(f));
                if (m.find()) {
                    String name = f.getFileName().toString().replace(".java", "");
                    classes.put(m.group(1) + "." + name, m.group(1));
                    packages.put(f, m.group(1));
                }
            }
        }
        Map<String, Map<String, Set<String>>> out = new TreeMap<>();
        for (Map.Entry<Path, String> e : packages.entrySet()) {
            String from = e.getValue();
            String code = COMMENTS.matcher(Files.readString(e.getKey())).replaceAll("");
            List<String> used = new ArrayList<>();
            IMPORT.matcher(code).results().forEach(r -> used.add(r.group(1)));
            QUALIFIED.matcher(code).results().forEach(r -> used.add(r.group(1)));
            out.computeIfAbsent(from, k -> new TreeMap<>());
            for (String name : used) {
                String to = owner(name, classes);
                if (to != null && !to.equals(from)) {
                    out.get(from).computeIfAbsent(to, k -> new TreeSet<>()).add(e.getKey().getFileName().toString());
                }
            }
        }
        return out;
    }

    /** The package of the class {@code name} names (or whose member it names), or null outside the sources. */
    private static String owner(String name, Map<String, String> classes) {
        for (String n = name; n.contains("."); n = n.substring(0, n.lastIndexOf('.'))) {
            if (classes.containsKey(n)) {
                return classes.get(n);
            }
        }
        return null;
    }

    private static int layer(String pkg) {
        for (int i = 0; i < LAYERS.size(); i++) {
            if (LAYERS.get(i).contains(pkg)) {
                return i;
            }
        }
        throw new AssertionError("package " + pkg + " has no layer in LayersTest.LAYERS: add it where it belongs");
    }

    @Test
    void everyPackageUsesOnlyItsOwnLayerAndTheOnesBelow() throws IOException {
        assertTrue(Files.isDirectory(SOURCES), "run from the dsl module: " + SOURCES.toAbsolutePath());
        List<String> upward = new ArrayList<>();
        graph(SOURCES).forEach((from, uses) -> uses.forEach((to, files) -> {
            if (layer(to) > layer(from)) {
                upward.add(from + " -> " + to + " " + files);
            }
        }));
        assertEquals(List.of(), upward);
    }

    @Test
    void noTwoPackagesUseEachOther() throws IOException {
        Map<String, Map<String, Set<String>>> g = graph(SOURCES);
        List<String> cycles = new ArrayList<>();
        for (String start : g.keySet()) {
            Deque<List<String>> paths = new ArrayDeque<>();
            paths.add(List.of(start));
            Set<String> seen = new TreeSet<>();
            while (!paths.isEmpty()) {
                List<String> path = paths.poll();
                for (String next : g.getOrDefault(path.get(path.size() - 1), Map.of()).keySet()) {
                    if (next.equals(start)) {
                        List<String> cycle = new ArrayList<>(path);
                        cycle.add(start);
                        cycles.add(String.join(" -> ", cycle));
                    } else if (seen.add(next)) {
                        List<String> longer = new ArrayList<>(path);
                        longer.add(next);
                        paths.add(longer);
                    }
                }
            }
        }
        assertEquals(List.of(), cycles);
    }

    @Test
    void theScanSeesABackEdge(@org.junit.jupiter.api.io.TempDir Path dir) throws IOException {
        Files.createDirectories(dir.resolve("a"));
        Files.createDirectories(dir.resolve("b"));
        Files.writeString(dir.resolve("a/A.java"), "package dev.lethe.a;\nimport dev.lethe.b.B;\nclass A {}\n");
        Files.writeString(dir.resolve("b/B.java"), "package dev.lethe.b;\n/** {@link dev.lethe.a.A} */\nclass B {\n"
                + "  dev.lethe.a.A a;\n}\n");
        Files.writeString(dir.resolve("b/C.java"), "package dev.lethe.b;\n// dev.lethe.a.A in a comment\nclass C {}\n");
        Map<String, Map<String, Set<String>>> g = graph(dir);
        assertEquals(Set.of("B.java"), g.get("dev.lethe.b").get("dev.lethe.a"), "comments do not count");
        assertEquals(Set.of("A.java"), g.get("dev.lethe.a").get("dev.lethe.b"));
    }
}
