package dev.lethe.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code lethe run}'s model cache: the default folder follows {@code lethe.cache} / {@code LETHE_CACHE}. */
class CacheOptionsTest {
    private static final String TINY = """
            name: tiny
            model:
              gpt: {layers: 1, width: 16, heads: 2, context_length: 32}
            data:
              fictitious_facts: {people: 6, forget_fraction: 0.34, holdout_people: 1, facts_per_person: 2, world_countries: 1, real_authors: 1}
            stages:
              - learn: {steps: 4, batch_size: 4}
              - evaluate: {suites: [answers], splits: [forget, retain]}
            """;

    /** Standard output of a command that must succeed. */
    private static String lethe(String... args) {
        Cli.Outcome o = Cli.lethe(args);
        assertEquals(0, o.exit(), o.err());
        return o.out();
    }

    private static List<Path> files(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).sorted().toList();
        }
    }

    @Test
    void runUsesTheDefaultCacheThatLetheCacheNamesAndNoCacheTurnsItOff(@TempDir Path tmp) throws IOException {
        Path recipe = Files.writeString(tmp.resolve("tiny.yaml"), TINY);
        Path models = tmp.resolve("models");
        Path home = Files.createDirectories(tmp.resolve("home")); // writable: else libtorch's folder is refused
        @Nullable String cache = System.getProperty("lethe.cache");
        String userHome = System.getProperty("user.home");
        Engine.getInstance(); // libtorch is found under the real home before user.home moves
        System.setProperty("lethe.cache", models.toString());
        System.setProperty("user.home", home.toString());
        try {
            lethe("run", recipe.toString(), "--runs", tmp.resolve("runs").toString(), "--quiet");
            assertEquals(1, files(models).size(), "the learned model is kept where lethe.cache says: " + files(models));
            String again = lethe("run", recipe.toString(), "--runs", tmp.resolve("runs").toString(), "--quiet");
            assertTrue(again.lines().anyMatch(l -> l.strip().matches("learn \\s*\\|.*\\byes\\b.*")), again);
            String off = lethe("run", recipe.toString(), "--runs", tmp.resolve("runs").toString(), "--quiet",
                    "--no-cache");
            assertFalse(off.lines().anyMatch(l -> l.strip().matches("learn \\s*\\|.*\\byes\\b.*")), off);
            assertEquals(List.of(), files(home.resolve(".cache")), "nothing went to the home folder's cache");
        } finally {
            System.setProperty("user.home", userHome);
            if (cache == null) {
                System.clearProperty("lethe.cache");
            } else {
                System.setProperty("lethe.cache", cache);
            }
        }
    }
}
