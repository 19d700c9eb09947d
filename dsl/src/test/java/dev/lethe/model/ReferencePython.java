package dev.lethe.model;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The Python reference environment of the checks against Hugging Face {@code transformers} and
 * {@code tokenizers}: the venv that {@code bench/python-env.sh} makes (torch 2.13, transformers 5.18).
 * Tests that compare with it call {@link #run}; without the venv they are skipped with a message saying how
 * to make it, unless {@code LETHE_REQUIRE_REFERENCE=1} (CI sets it after making the venv), where a missing
 * venv fails instead of silently skipping every comparison.
 */
public final class ReferencePython {
    private static final Path ROOT = repositoryRoot();
    private static Optional<Path> python;

    private ReferencePython() {}

    /** The repository's top folder (the one holding {@code bench/}), from the module folder tests run in. */
    public static Path root() {
        return ROOT;
    }

    /**
     * The venv's python, skipping the calling test (or failing it, under {@code LETHE_REQUIRE_REFERENCE=1})
     * when the venv is not ready.
     */
    public static synchronized Path python() {
        if (python == null) {
            python = find();
        }
        if (python.isEmpty()) {
            String why = "the reference Python environment is missing: run bench/python-env.sh to make it";
            if ("1".equals(System.getenv("LETHE_REQUIRE_REFERENCE"))) {
                fail(why + " (LETHE_REQUIRE_REFERENCE=1)");
            }
            assumeTrue(false, why);
        }
        return python.get();
    }

    /**
     * Runs {@code script} (a path under the repository's {@code bench/python/}) with {@code args} in the
     * reference venv and returns its standard output; fails the test with the script's standard error when it
     * exits non-zero or runs longer than {@code timeoutSeconds}.
     */
    public static String run(String script, long timeoutSeconds, String... args) {
        List<String> command = new ArrayList<>(List.of(python().toString(),
                ROOT.resolve("bench/python").resolve(script).toString()));
        command.addAll(List.of(args));
        try {
            Path err = Files.createTempFile("reference-python", ".err");
            try {
                Process p = new ProcessBuilder(command).directory(ROOT.toFile())
                        .redirectError(err.toFile()).start();
                p.getOutputStream().close();
                byte[] out = p.getInputStream().readAllBytes();
                if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    fail(String.join(" ", command) + " ran longer than " + timeoutSeconds + " s");
                }
                if (p.exitValue() != 0) {
                    fail(String.join(" ", command) + " exited " + p.exitValue() + ":\n" + Files.readString(err));
                }
                return new String(out, StandardCharsets.UTF_8);
            } finally {
                Files.deleteIfExists(err);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static Optional<Path> find() {
        try {
            Process p = new ProcessBuilder("bash", ROOT.resolve("bench/python-env.sh").toString(), "--check")
                    .directory(ROOT.toFile()).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            return p.waitFor() == 0 && !out.isEmpty() ? Optional.of(Path.of(out)) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    private static Path repositoryRoot() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.isRegularFile(dir.resolve("bench/python-env.sh"))) {
            dir = dir.getParent();
        }
        if (dir == null) {
            throw new IllegalStateException("no bench/python-env.sh above " + Path.of("").toAbsolutePath());
        }
        return dir;
    }
}
