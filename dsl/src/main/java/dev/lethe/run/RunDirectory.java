package dev.lethe.run;

import dev.lethe.Recipe;
import dev.lethe.RunResult;
import dev.lethe.io.AtomicFiles;
import dev.lethe.recipe.RecipeCodec;
import dev.lethe.report.HtmlReport;
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
 *   <li>{@code report/index.html}: the {@link HtmlReport};</li>
 *   <li>{@code error.txt}: the stack trace, only when the run failed.</li>
 * </ul>
 * Every file is written atomically ({@link AtomicFiles}). Works beside {@link Runner}: register
 * {@link #events()} as a listener, then call {@link #finish} or {@link #fail}.
 */
public final class RunDirectory {
    private final Path path;
    private final Provenance provenance;
    private final EventLog events;

    private RunDirectory(Path path, Provenance provenance) {
        this.path = path;
        this.provenance = provenance;
        this.events = new EventLog(path.resolve("events.jsonl"));
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
                    RunDirectory rd = new RunDirectory(dir, provenance);
                    AtomicFiles.writeString(dir.resolve("recipe.yaml"), yaml);
                    AtomicFiles.writeString(dir.resolve("provenance.json"), provenance.json());
                    return rd;
                } catch (FileAlreadyExistsException e) {
                    // taken by an earlier run: try the next suffix
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a run directory in " + runs, e);
        }
    }

    /** The folder. */
    public Path path() {
        return path;
    }

    /** The run's provenance. */
    public Provenance provenance() {
        return provenance;
    }

    /** The listener that writes {@code events.jsonl}. */
    public EventLog events() {
        return events;
    }

    /** Writes the metrics, the report and the closing event of a run that returned {@code result}. */
    public void finish(RunResult result) {
        AtomicFiles.writeString(path.resolve("metrics.csv"), result.csv());
        HtmlReport.write(result, path.resolve("report"));
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
