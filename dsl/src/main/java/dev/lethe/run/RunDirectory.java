package dev.lethe.run;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lethe.io.AtomicFiles;
import dev.lethe.recipe.RecipeCodec;
import dev.lethe.result.RunResult;
import dev.lethe.spec.Recipe;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

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
 *   <li>{@code error.txt}: the stack trace, only when the run failed.</li>
 * </ul>
 * Every file is written atomically ({@link AtomicFiles}). Works beside {@link Runner}: register
 * {@link #events()} as a listener, then call {@link #finish} or {@link #fail}.
 */
public final class RunDirectory {
    private static final String RECIPE = "recipe.yaml";
    private static final String PROVENANCE = "provenance.json";
    private static final String METRICS = "metrics.csv";

    private final Path path;
    private final Recipe recipe;
    private final Provenance provenance;
    private final EventLog events;

    private RunDirectory(Path path, Recipe recipe, Provenance provenance, EventLog events) {
        this.path = path;
        this.recipe = recipe;
        this.provenance = provenance;
        this.events = events;
    }

    /**
     * Creates a new run directory for {@code recipe} under {@code runs} and writes its recipe and provenance.
     *
     * @param codec writes the resolved recipe (and so decides its hash)
     */
    public static RunDirectory create(Path runs, Recipe recipe, RecipeCodec codec) {
        String yaml = codec.write(recipe);
        Provenance provenance = Provenance.of(recipe, yaml);
        String base = recipe.name().replaceAll("[^A-Za-z0-9._-]", "_") + "-" + provenance.shortHash();
        try {
            Files.createDirectories(runs);
            for (int n = 1; ; n++) {
                Path dir = runs.resolve(n == 1 ? base : base + "-" + n);
                try {
                    Files.createDirectory(dir);
                    RunDirectory rd = new RunDirectory(dir, recipe, provenance, new EventLog(dir.resolve("events.jsonl")));
                    AtomicFiles.writeString(dir.resolve(RECIPE), yaml);
                    AtomicFiles.writeString(dir.resolve(PROVENANCE), provenance.json());
                    return rd;
                } catch (FileAlreadyExistsException e) {
                    // taken by an earlier run: try the next suffix
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a run directory in " + runs, e);
        }
    }

    /**
     * An existing run directory, to continue a run that was killed or to evaluate a finished one: its recipe
     * is read back from {@code recipe.yaml}, and new events are appended to its {@code events.jsonl}.
     *
     * @throws dev.lethe.recipe.RecipeException when {@code recipe.yaml} is not a valid recipe
     * @throws IllegalArgumentException when {@code dir} is not a run directory
     */
    public static RunDirectory open(Path dir, RecipeCodec codec) {
        if (!Files.isRegularFile(dir.resolve(RECIPE)) || !Files.isRegularFile(dir.resolve(PROVENANCE))) {
            throw new IllegalArgumentException(dir + " is not a run directory (it has no " + RECIPE + " and "
                    + PROVENANCE + ")");
        }
        Recipe recipe = codec.read(dir.resolve(RECIPE));
        Provenance now = Provenance.of(recipe, codec.write(recipe));
        return new RunDirectory(dir, recipe, now, EventLog.continuing(dir.resolve("events.jsonl")));
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
        try {
            String recorded = new ObjectMapper().readTree(path.resolve(PROVENANCE).toFile())
                    .path("hash").asText();
            return !recorded.equals(provenance.hash());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + path.resolve(PROVENANCE), e);
        }
    }

    /** Whether the run finished (it wrote its metrics). */
    public boolean isFinished() {
        return Files.exists(path.resolve(METRICS));
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
     * Writes the metrics and the closing event of a run that returned {@code result} (the caller writes the
     * report into {@link #report()} first: the run layer does not depend on the report layer).
     */
    public void finish(RunResult result) {
        AtomicFiles.writeString(path.resolve(METRICS), result.csv());
        Map<String, Object> end = new LinkedHashMap<>();
        end.put("event", "run_finished");
        end.put("stop_reasons", result.stopReasons());
        events.append(end);
    }

    /** Records that the run threw {@code failure}: a closing event and {@code error.txt}. */
    public void fail(Throwable failure) {
        StringWriter trace = new StringWriter();
        failure.printStackTrace(new PrintWriter(trace));
        AtomicFiles.writeString(path.resolve("error.txt"), trace.toString());
        Map<String, Object> end = new LinkedHashMap<>();
        end.put("event", "run_failed");
        end.put("error", String.valueOf(failure.getMessage()));
        events.append(end);
    }
}
