package dev.lethe.run;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lethe.io.AtomicFiles;
import dev.lethe.io.ConfinedPaths;
import dev.lethe.recipe.RecipeCodec;
import dev.lethe.result.RunResult;
import dev.lethe.spec.Recipe;
import dev.lethe.util.Printable;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The folder a run leaves behind, {@code <runs>/<name>-<short hash>/} (then {@code -2}, {@code -3}, ... when
 * that exists: a run directory is never reused or overwritten):
 * <ul>
 *   <li>{@code recipe.yaml}: the resolved recipe, every parameter written out;</li>
 *   <li>{@code provenance.json}: {@link Provenance} (hashes, versions, machine, seed);</li>
 *   <li>{@code events.jsonl}: the run's events ({@link EventLog}), ending with {@code run_finished} or
 *       {@code run_failed};</li>
 *   <li>{@code metrics.csv}: {@link RunResult#csv()}, byte-identical for two runs of the same recipe;</li>
 *   <li>{@code report/index.html}: the HTML report ({@code dev.lethe.report.HtmlReport}, written by the command);</li>
 *   <li>{@code checkpoints/}: the trained models and mid-stage checkpoints ({@link Checkpoints}), when the run
 *       keeps them ({@link Runner#checkpoints}); a killed run continues from them ({@link #open});</li>
 *   <li>{@code error.txt}: the stack trace, only while the run's last attempt failed;</li>
 *   <li>{@code run.lock}: the lock of the process that uses the directory ({@link RunLock}).</li>
 * </ul>
 * Every file is written atomically ({@link AtomicFiles}), but for the event log, which is appended to.
 *
 * <p>One process at a time: {@link #create} and {@link #open} lock the directory until {@link #close()}, and
 * refuse one that another process holds. Works beside {@link Runner}: register {@link #events()} as a listener,
 * then call {@link #finish} or {@link #fail}. A run is finished when {@link #finish} wrote its metrics and its
 * closing event; until then {@code lethe run --resume} continues it, also after a failure while finishing.
 */
public final class RunDirectory implements AutoCloseable {
    private static final String RECIPE = "recipe.yaml";
    private static final String PROVENANCE = "provenance.json";
    private static final String METRICS = "metrics.csv";
    private static final String EVENTS = "events.jsonl";
    private static final String ERROR = "error.txt";

    private final Path path;
    private final Recipe recipe;
    private final Provenance provenance;
    private final EventLog events;
    private final RunLock lock;

    private RunDirectory(Path path, Recipe recipe, Provenance provenance, RunLock lock) {
        this.path = path;
        this.recipe = recipe;
        this.provenance = provenance;
        this.events = new EventLog(path.resolve(EVENTS));
        this.lock = lock;
    }

    /**
     * Creates a new run directory for {@code recipe} under {@code runs}, locked, and writes its recipe and
     * provenance.
     *
     * @param codec writes the resolved recipe (and so decides its hash)
     * @throws IllegalArgumentException in one line when {@code runs} is a file or cannot be written (a read-only
     *     file system), before anything is created
     */
    public static RunDirectory create(Path runs, Recipe recipe, RecipeCodec codec) {
        String yaml = codec.write(recipe);
        Provenance provenance = Provenance.of(recipe, yaml);
        String base = recipe.name().replaceAll("[^A-Za-z0-9._-]", "_") + "-" + provenance.shortHash();
        String shown = Printable.escape(runs.toString());
        if (Files.exists(runs) && !Files.isDirectory(runs)) {
            throw new IllegalArgumentException("cannot create a run directory in " + shown + ": it is a file, not a "
                    + "folder; give a folder");
        }
        for (int n = 1; ; n++) {
            Path dir = runs.resolve(n == 1 ? base : base + "-" + n);
            try {
                Files.createDirectories(runs);
                Files.createDirectory(dir);
            } catch (FileAlreadyExistsException e) {
                continue; // taken by an earlier run: try the next suffix
            } catch (IOException e) {
                throw new IllegalArgumentException("cannot create a run directory in " + shown + " ("
                        + RunLock.reason(e) + "); give a writable folder", e);
            }
            RunDirectory rd = new RunDirectory(dir, recipe, provenance, RunLock.take(dir));
            try {
                AtomicFiles.writeString(dir.resolve(RECIPE), yaml);
                AtomicFiles.writeString(dir.resolve(PROVENANCE), provenance.json());
            } catch (RuntimeException e) {
                rd.close();
                throw e;
            }
            return rd;
        }
    }

    /**
     * An existing run directory, locked, to continue a run that was killed or to evaluate a finished one: its
     * recipe is read back from {@code recipe.yaml}, and new events are appended to its {@code events.jsonl}.
     * Nothing is written before the lock is taken, and only the lock file then.
     *
     * @throws dev.lethe.recipe.RecipeException when {@code recipe.yaml} is not a valid recipe
     * @throws IllegalArgumentException when {@code dir} is not a run directory, one of its files is not an ordinary
     *     file (a FIFO or a device would block a reader), another process holds it, or it cannot be written
     */
    public static RunDirectory open(Path dir, RecipeCodec codec) {
        if (!Files.exists(dir.resolve(RECIPE)) || !Files.exists(dir.resolve(PROVENANCE))) {
            throw new IllegalArgumentException(Printable.escape(dir.toString()) + " is not a run directory (it has no "
                    + RECIPE + " and " + PROVENANCE + ")");
        }
        for (String file : new String[] {RECIPE, PROVENANCE, EVENTS, METRICS, "checkpoints/" + Checkpoints.MANIFEST}) {
            Path p = dir.resolve(file);
            if (Files.exists(p) || Files.isSymbolicLink(p)) {
                ConfinedPaths.regularFile(p, "the run directory's " + file);
            }
        }
        Recipe recipe = codec.read(dir.resolve(RECIPE));
        Provenance now = Provenance.of(recipe, codec.write(recipe));
        return new RunDirectory(dir, recipe, now, RunLock.take(dir));
    }

    /** The recipe the run executes. */
    public Recipe recipe() {
        return recipe;
    }

    /**
     * Whether the recipe or the code differs from the run's recorded {@code provenance.json} (its hash covers
     * the recipe text, the Lethe version and the git commit): a continued run then cannot promise the numbers
     * an uninterrupted one would have given.
     */
    public boolean codeOrRecipeChanged() {
        Path file = ConfinedPaths.regularFile(path.resolve(PROVENANCE), "the run's provenance");
        JsonNode recorded;
        try {
            recorded = new ObjectMapper().readTree(file.toFile());
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(Printable.escape(file.toString()) + ":" + e.getLocation().getLineNr()
                    + ": not a provenance record (" + Printable.escape(e.getOriginalMessage()).replace("\\n", " ")
                    + "); the run directory is damaged", e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        JsonNode hash = recorded == null ? null : recorded.get("hash");
        if (hash == null || !hash.isTextual()) {
            throw new IllegalArgumentException(Printable.escape(file.toString()) + ": field hash is missing or not "
                    + "text; the run directory is damaged");
        }
        return !hash.asText().equals(provenance.hash());
    }

    /**
     * Whether the run finished: {@link #finish} wrote its metrics and then its closing event (a process killed
     * between the two left a run that {@code --resume} finishes).
     */
    public boolean isFinished() {
        return Files.exists(path.resolve(METRICS)) && events.lastEvent().equals("run_finished");
    }

    /** The folder of the run's checkpoints, for {@link Runner#checkpoints}. */
    public Path checkpoints() {
        return path.resolve("checkpoints");
    }

    /**
     * Whether the checkpoints hold the model of every training stage of the recipe, finished, so that the
     * run's models can be evaluated again without training.
     */
    public boolean isTrained() {
        Path manifest = checkpoints().resolve(Checkpoints.MANIFEST);
        if (!Files.exists(manifest)) {
            return false;
        }
        Checkpoints.Manifest m = Checkpoints.Manifest.read(manifest);
        return m.covers(recipe);
    }

    /** The folder. */
    public Path path() {
        return path;
    }

    /** The run's provenance. */
    public Provenance provenance() {
        return provenance;
    }

    /** Where the HTML report goes: {@code report/}. */
    public Path report() {
        return path.resolve("report");
    }

    /** The listener that writes {@code events.jsonl}. */
    public EventLog events() {
        return events;
    }

    /**
     * Closes a run that returned {@code result} (the caller writes the report into {@link #report()} first: the
     * run layer does not depend on the report layer): removes the {@code error.txt} of an earlier failed attempt,
     * writes the metrics, then the closing event. When the event cannot be written, the metrics just written are
     * removed again, so that the run is not taken for finished and {@code --resume} finishes it.
     *
     * @throws java.io.UncheckedIOException when a file cannot be written (a full disk)
     */
    public void finish(RunResult result) {
        Path error = path.resolve(ERROR);
        try {
            if (Files.isRegularFile(error, LinkOption.NOFOLLOW_LINKS)) {
                Files.delete(error);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove the earlier attempt's " + error, e);
        }
        Path metrics = path.resolve(METRICS);
        AtomicFiles.writeString(metrics, result.csv());
        Map<String, Object> end = new LinkedHashMap<>();
        end.put("event", "run_finished");
        end.put("stop_reasons", result.stopReasons());
        try {
            events.append(end);
        } catch (RuntimeException e) {
            try {
                Files.deleteIfExists(metrics);
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    /**
     * Records that the run threw {@code failure}, as far as the disk lets it: the stack trace in {@code error.txt}
     * and a closing {@code run_failed} event with the message; what cannot be written (a full disk) is left out.
     *
     * @return {@code error.txt}, or null when it could not be written
     */
    public @Nullable Path fail(Throwable failure) {
        StringWriter trace = new StringWriter();
        failure.printStackTrace(new PrintWriter(trace));
        Path error = path.resolve(ERROR);
        try {
            AtomicFiles.writeString(error, trace.toString());
        } catch (RuntimeException e) {
            failure.addSuppressed(e);
            error = null;
        }
        Map<String, Object> end = new LinkedHashMap<>();
        end.put("event", "run_failed");
        end.put("error", String.valueOf(failure.getMessage()));
        try {
            events.append(end);
        } catch (RuntimeException e) {
            failure.addSuppressed(e);
        }
        return error;
    }

    /** Releases the directory's lock. */
    @Override
    public void close() {
        lock.close();
    }
}
