package dev.lethe.run;

import ai.djl.Device;
import dev.lethe.model.CausalLm;
import dev.lethe.model.ModelSpec;
import dev.lethe.util.Printable;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Trained weights kept on disk under a {@link CacheKey} (a hash of what determined them: the canonical recipe
 * text of the training and the content it read), so a later run of the same training reuses them instead of
 * training again. Files are safetensors named by their key, written atomically (a temporary file, then a
 * rename), so a killed run or two runs at once never leave a half-written entry under a key. An entry that
 * cannot be read (truncated, corrupt, of another shape) is ignored: the model is trained again and the entry
 * rewritten. A cache that cannot be written (read-only, full) does not fail the run.
 *
 * <p>Where it is by default ({@link #standard()}): the system property {@value #PROPERTY}, else the
 * environment variable {@value #VARIABLE}, else {@code ~/.cache/lethe/models}; the value {@value #OFF} turns
 * the default cache off.
 */
final class ModelCache {
    /** The system property that moves (or, set to {@value #OFF}, turns off) the default cache. */
    static final String PROPERTY = "lethe.cache";
    /** The environment variable that moves (or, set to {@value #OFF}, turns off) the default cache. */
    static final String VARIABLE = "LETHE_CACHE";
    /** The value of {@value #PROPERTY} or {@value #VARIABLE} that turns the default cache off. */
    static final String OFF = "off";

    private final Path dir;

    ModelCache(Path dir) {
        this.dir = dir;
    }

    /** The default cache of this process (see the class comment), or null when it is turned off. */
    static @Nullable ModelCache standard() {
        Path dir = defaultDir(System.getProperty(PROPERTY), System.getenv(), System.getProperty("user.home"));
        return dir == null ? null : new ModelCache(dir);
    }

    /**
     * The default folder for the system property's value {@code property}, the environment {@code env} and the
     * home folder {@code home}: the property, else {@value #VARIABLE}, else {@code home/.cache/lethe/models};
     * null when the one that decides is {@value #OFF}.
     */
    static @Nullable Path defaultDir(@Nullable String property, Map<String, String> env, String home) {
        String chosen = property != null && !property.isBlank() ? property : env.get(VARIABLE);
        if (chosen == null || chosen.isBlank()) {
            return Path.of(home, ".cache", "lethe", "models");
        }
        return chosen.strip().equals(OFF) ? null : Path.of(chosen.strip());
    }

    /** The folder. */
    Path dir() {
        return dir;
    }

    /** The model stored under {@code key}, or empty when there is none or it cannot be read as a {@code config}. */
    Optional<CausalLm> load(String key, ModelSpec config, Device device) {
        Path f = file(key);
        if (!Files.isRegularFile(f)) {
            return Optional.empty();
        }
        try {
            return Optional.of(CausalLm.load(f, config, device));
        } catch (RuntimeException e) {
            return Optional.empty(); // truncated, corrupt or foreign: trained again, then rewritten by store
        }
    }

    /**
     * Stores {@code model} under {@code key}, replacing what is there; a failure to write (a read-only or full
     * disk) is reported on standard error and otherwise ignored, since the run has the model it trained.
     */
    void store(String key, CausalLm model) {
        try {
            model.save(file(key));
        } catch (UncheckedIOException e) {
            System.err.println(Printable.escape("lethe: warning: cannot keep a trained model in the model cache " + dir
                    + " (" + e.getCause() + "); the run goes on without it"));
        }
    }

    private Path file(String key) {
        return dir.resolve(key + ".safetensors");
    }
}
