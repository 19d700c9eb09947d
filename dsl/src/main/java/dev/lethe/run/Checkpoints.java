package dev.lethe.run;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lethe.io.AtomicFiles;
import dev.lethe.io.ConfinedPaths;
import dev.lethe.model.CausalLm;
import dev.lethe.model.ModelSpec;
import dev.lethe.model.Safetensors;
import dev.lethe.result.RunEvent;
import dev.lethe.result.RunResult;
import dev.lethe.spec.AcuLearning;
import dev.lethe.spec.AcuUnlearning;
import dev.lethe.spec.Finetune;
import dev.lethe.spec.GuardIt;
import dev.lethe.spec.Learn;
import dev.lethe.spec.NamedStage;
import dev.lethe.spec.Recipe;
import dev.lethe.spec.Reference;
import dev.lethe.spec.Relearning;
import dev.lethe.spec.Stage;
import dev.lethe.spec.Unlearning;
import dev.lethe.util.Printable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * The checkpoints of a run, in one folder (a run directory's {@code checkpoints/}), from which a killed run
 * continues exactly where it stopped ({@link Runner#checkpoints}).
 *
 * <p>The folder holds the latest model of each finished training stage ({@code learn.safetensors},
 * {@code reference.safetensors}, {@code unlearn.request2.safetensors} after the second request of a
 * sequential unlearning stage; one file per model name, the newest),
 * at most one mid-stage checkpoint ({@code step-<generation>.safetensors}: the weights being trained, named
 * {@code w/<name>}, and the optimizer's state arrays, {@code o/<transform>/<name>}), and
 * {@code manifest.json}, which says what is done and which files hold it: the finished stages with their
 * events, a mid-stage checkpoint's stage, step, data-stream positions and objective state, and the curve
 * rows measured so far. Every file is written atomically, and the manifest last: a process killed at any
 * moment leaves the previous manifest and every file it names intact.
 *
 * <p>Nothing is deleted that a run did not write: after a new manifest is written, the files the previous one
 * named and the new one does not (an older model of the same name, the previous mid-stage checkpoint); when a
 * folder is opened to continue a run, the leftovers of a killed write (temporary files of this class's own
 * pattern, {@code .<name><digits>.tmp}, and mid-stage checkpoints numbered after the manifest's generation). Only
 * ordinary files directly named so are deleted, and nothing when the folder is a symbolic link. Opened
 * {@linkplain #readOnly read-only} (to evaluate a run's models again), nothing is written or deleted at all.
 *
 * <p>Every file name read from a manifest stays inside the folder ({@link ConfinedPaths}: no {@code ..}, no
 * absolute path, no symbolic link that leads out), and its step counts must fit the recipe.
 *
 * <p>What is not checkpointed: the attack, evaluate and save stages, which a resumed run repeats (they are
 * deterministic, and short next to training).
 */
final class Checkpoints {
    static final String MANIFEST = "manifest.json";
    private static final ObjectMapper JSON = new ObjectMapper();
    /** What {@link AtomicFiles} names its temporary files here: {@code .<target><digits>.tmp}. */
    private static final Pattern TEMPORARY = Pattern.compile("\\.(" + Pattern.quote(MANIFEST) + "|.+\\.safetensors)-?\\d+\\.tmp");
    private static final Pattern MID_FILE = Pattern.compile("step-(\\d{1,18})\\.safetensors");

    private final Path dir;
    private final long every;
    private final boolean writable;
    private Manifest manifest;

    private Checkpoints(Path dir, long every, boolean writable, Manifest manifest) {
        this.dir = dir;
        this.every = every;
        this.writable = writable;
        this.manifest = manifest;
    }

    /**
     * Checkpoints in {@code dir} for a run of {@code recipe}: an empty folder starts a fresh run; one with a
     * manifest continues it (the leftovers of a killed write are deleted).
     *
     * @param every a mid-stage checkpoint every this many steps of a training stage (0: only at stage ends)
     * @throws IllegalArgumentException when the manifest is unreadable, names a file outside {@code dir} or
     *     holds steps the recipe does not have
     */
    static Checkpoints open(Path dir, long every, Recipe recipe) {
        if (every < 0) {
            throw new IllegalArgumentException("checkpoint interval must be >= 0 steps, was " + every);
        }
        Checkpoints c = new Checkpoints(dir, every, true, existing(dir, recipe));
        c.deleteLeftovers();
        return c;
    }

    /**
     * The checkpoints in {@code dir}, to load the models of a run of {@code recipe} without writing or deleting
     * anything in {@code dir}.
     *
     * @throws IllegalArgumentException when the manifest is unreadable, names a file outside {@code dir}, holds
     *     steps the recipe does not have, or does not hold every training stage of {@code recipe} finished
     */
    static Checkpoints readOnly(Path dir, Recipe recipe) {
        Manifest m = existing(dir, recipe);
        if (!m.covers(recipe)) {
            throw new IllegalArgumentException(Printable.escape(dir.toString()) + " does not hold every training "
                    + "stage of the recipe finished; nothing would be trained in a read-only run: continue the run "
                    + "that wrote it first");
        }
        return new Checkpoints(dir, 0, false, m);
    }

    /** The manifest in {@code dir}, checked against {@code recipe}, or the empty one when there is none. */
    private static Manifest existing(Path dir, Recipe recipe) {
        Path file = dir.resolve(MANIFEST);
        Manifest m = Files.exists(file, LinkOption.NOFOLLOW_LINKS) ? Manifest.read(file) : Manifest.EMPTY;
        m.requireFits(recipe, file);
        return m;
    }

    /** The latest state on disk. */
    Manifest manifest() {
        return manifest;
    }

    /** Whether a stage of {@code steps} steps takes a mid-stage checkpoint after {@code done} of them. */
    boolean due(long done, long steps) {
        return every > 0 && done % every == 0 && done < steps;
    }

    /** Loads the model a finished stage left in {@code file} (a name from the manifest). */
    CausalLm loadModel(String file, ModelSpec config, Device device) {
        return CausalLm.load(named(file), config, device);
    }

    /** Reads a mid-stage checkpoint's arrays into {@code manager}. */
    Map<String, NDArray> readArrays(String file, NDManager manager) {
        return Safetensors.read(named(file), manager);
    }

    /** The file a manifest names, checked again when it is opened: inside the folder, and an ordinary file. */
    private Path named(String file) {
        Path manifestFile = dir.resolve(MANIFEST);
        Path p = ConfinedPaths.inside(dir, file, manifestFile + ", file '" + file + "'");
        return ConfinedPaths.regularFile(p, "checkpoint file (named by " + manifestFile + ")");
    }

    /**
     * Records a finished training stage (or request): its event, its model {@code modelName} (written to
     * {@code <stage>.safetensors}, replacing the model's earlier file) and the curve rows so far.
     */
    RunEvent.CheckpointWritten stageDone(RunEvent.StageFinished finished, String modelName, CausalLm model,
            List<RunResult.Row> rows) {
        requireWritable();
        long start = System.nanoTime();
        String modelFile = finished.stage() + ".safetensors";
        model.save(dir.resolve(modelFile));
        List<RunEvent.StageFinished> done = new ArrayList<>(manifest.finished());
        done.add(finished);
        commit(manifest.withModel(modelName, modelFile).with(done, null, rows));
        return written(finished.stage(), finished.stepsDone(), modelFile, start);
    }

    /** Writes a mid-stage checkpoint of {@code stage} after {@code done} steps. */
    RunEvent.CheckpointWritten midStage(String stage, long done, Map<String, NDArray> weights, Map<String, NDArray> optimizerState,
            Map<String, Long> draws, Map<String, double[]> objectiveState, List<RunResult.Row> rows) {
        requireWritable();
        String file = "step-" + (manifest.generation() + 1) + ".safetensors";
        Map<String, NDArray> arrays = new LinkedHashMap<>();
        weights.forEach((name, a) -> arrays.put("w/" + name, a));
        optimizerState.forEach((name, a) -> arrays.put("o/" + name, a));
        long start = System.nanoTime();
        Safetensors.write(dir.resolve(file), arrays, Map.of("lethe.stage", stage, "lethe.step", Long.toString(done)));
        commit(manifest.with(manifest.finished(), new Mid(stage, done, file, draws, objectiveState), rows));
        return written(stage, done, file, start);
    }

    private RunEvent.CheckpointWritten written(String stage, long step, String file, long startNanos) {
        try {
            long bytes = Files.size(dir.resolve(file)) + Files.size(dir.resolve(MANIFEST));
            return new RunEvent.CheckpointWritten(stage, step, bytes, (System.nanoTime() - startNanos) / 1e9);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read back the checkpoint " + dir.resolve(file), e);
        }
    }

    private void requireWritable() {
        if (!writable) {
            throw new IllegalStateException("the checkpoints in " + dir + " were opened read-only");
        }
    }

    private void commit(Manifest next) {
        Manifest numbered = next.numbered(manifest.generation() + 1);
        AtomicFiles.writeString(dir.resolve(MANIFEST), numbered.json());
        Set<String> replaced = new HashSet<>(manifest.files());
        replaced.removeAll(numbered.files());
        manifest = numbered;
        for (String name : replaced) {
            delete(dir.resolve(name));
        }
    }

    /**
     * Deletes what a process killed while writing here left: temporary files of {@link AtomicFiles} for a
     * manifest or a checkpoint, and mid-stage checkpoints written after the manifest's generation.
     */
    private void deleteLeftovers() {
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                String name = f.getFileName().toString();
                Matcher mid = MID_FILE.matcher(name);
                boolean leftover = TEMPORARY.matcher(name).matches()
                        || mid.matches() && Long.parseLong(mid.group(1)) > manifest.generation();
                if (leftover) {
                    delete(f);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list the checkpoints in " + dir, e);
        }
    }

    /** Deletes {@code file} when it is an ordinary file (not a link) and the folder is not reached through a link. */
    private void delete(Path file) {
        if (Files.isSymbolicLink(dir) || !Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete the superseded checkpoint " + file, e);
        }
    }

    /**
     * A mid-stage checkpoint.
     *
     * @param stage the training stage
     * @param stepsDone steps done when it was taken
     * @param file the safetensors file of the trained weights and optimizer state
     * @param draws batches drawn so far from each split's stream, by split id
     * @param objectiveState the objective's {@link dev.lethe.objective.Objective#state()}
     */
    record Mid(String stage, long stepsDone, String file, Map<String, Long> draws, Map<String, double[]> objectiveState) {}

    /**
     * What a run's checkpoints hold.
     *
     * @param generation how many times the manifest was written
     * @param models each finished training stage's model by the model's name ({@code learned}, {@code unlearned},
     *     ...) → the file holding its latest state, in the order first finished
     * @param finished the finished training stages' events (a sequential unlearning stage: one per request), in order
     * @param mid the mid-stage checkpoint, or null
     * @param rows the curve rows of the training stages measured so far
     */
    record Manifest(long generation, Map<String, String> models, List<RunEvent.StageFinished> finished,
            @Nullable Mid mid, List<RunResult.Row> rows) {
        static final String FORMAT = "lethe.checkpoints/2";
        static final Manifest EMPTY = new Manifest(0, Map.of(), List.of(), null, List.of());

        Manifest {
            models = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(models));
            finished = List.copyOf(finished);
            rows = List.copyOf(rows);
        }

        /** A copy in which {@code model}'s latest state is in {@code file}. */
        Manifest withModel(String model, String file) {
            Map<String, String> m = new LinkedHashMap<>(models);
            m.put(model, file);
            return new Manifest(generation, m, finished, mid, rows);
        }

        Manifest with(List<RunEvent.StageFinished> stages, @Nullable Mid midStage, List<RunResult.Row> curve) {
            return new Manifest(generation, models, stages, midStage, curve);
        }

        Manifest numbered(long g) {
            return new Manifest(g, models, finished, mid, rows);
        }

        /** The recorded end of {@code stage}, or null when it has not finished. */
        RunEvent.@Nullable StageFinished finished(String stage) {
            return finished.stream().filter(f -> f.stage().equals(stage)).findFirst().orElse(null);
        }

        /** Whether every training stage of {@code recipe} is finished here (a sequential unlearning: every request, or one that a guard stopped). */
        boolean covers(dev.lethe.spec.Recipe recipe) {
            for (dev.lethe.spec.NamedStage s : recipe.named()) {
                if (!s.stage().checkpointed()) {
                    continue;
                }
                if (!models.containsKey(s.model())) {
                    return false;
                }
                int requests = UnlearnStage.requests(s.stage());
                for (int r = 0; r < requests; r++) {
                    RunEvent.StageFinished f = finished(UnlearnStage.unit(s, r, requests));
                    if (f == null) {
                        return false;
                    }
                    if (!f.stopReason().isEmpty()) {
                        break;
                    }
                }
            }
            return true;
        }

        /**
         * Checks that every step count fits {@code recipe}: each finished unit and the mid-stage checkpoint belong
         * to one of its training stages (or unlearning requests), and none has done more steps than that has.
         *
         * @param file the manifest, for the error
         * @throws IllegalArgumentException naming the file, the field and the stage when one does not
         */
        void requireFits(Recipe recipe, Path file) {
            Map<String, Long> steps = new LinkedHashMap<>();
            for (NamedStage s : recipe.named()) {
                if (s.stage().checkpointed()) {
                    int requests = UnlearnStage.requests(s.stage());
                    for (int r = 0; r < requests; r++) {
                        steps.put(UnlearnStage.unit(s, r, requests), steps(s.stage()));
                    }
                }
            }
            for (int i = 0; i < finished.size(); i++) {
                RunEvent.StageFinished f = finished.get(i);
                requireFits(file, "finished[" + i + "]", f.stage(), f.stepsDone(), steps);
            }
            if (mid != null) {
                requireFits(file, "mid_stage", mid.stage(), mid.stepsDone(), steps);
            }
        }

        private static void requireFits(Path file, String field, String unit, long done, Map<String, Long> steps) {
            Long total = steps.get(unit);
            String stage = Printable.escape(unit);
            if (total == null) {
                throw new IllegalArgumentException(file + ": field " + field + ".stage: the recipe has no training "
                        + "stage '" + stage + "' (stages that train: " + String.join(", ", steps.keySet())
                        + "); these checkpoints are another recipe's: start the run again");
            }
            if (done > total) {
                throw new IllegalArgumentException(file + ": field " + field + ".steps_done: " + done + " steps "
                        + "done, but stage " + stage + " has " + total + " in the recipe; the manifest was edited or "
                        + "belongs to another recipe: start the run again");
            }
        }

        /** The optimisation steps of a checkpointed stage (of each request, for an unlearning stage; 0 for guard_it). */
        private static long steps(Stage stage) {
            if (stage instanceof GuardIt) {
                return 0;
            }
            if (stage instanceof Learn l) {
                return l.training().steps();
            } else if (stage instanceof Finetune f) {
                return f.training().steps();
            } else if (stage instanceof Reference r) {
                return r.training().steps();
            } else if (stage instanceof Unlearning u) {
                return u.steps();
            } else if (stage instanceof Relearning r) {
                return r.steps();
            } else if (stage instanceof AcuLearning || stage instanceof AcuUnlearning) {
                return 1;
            }
            throw new IllegalStateException("a training stage of unknown steps: " + stage.kind());
        }

        /** The files this manifest names. */
        Set<String> files() {
            Set<String> out = new HashSet<>(models.values());
            if (mid != null) {
                out.add(mid.file());
            }
            return out;
        }

        /** As JSON; every double as a string ({@link Double#toString}), so it reads back bit for bit. */
        String json() {
            ObjectNode root = JSON.createObjectNode();
            root.put("format", FORMAT);
            root.put("generation", generation);
            ObjectNode files = root.putObject("models");
            models.forEach(files::put);
            ArrayNode stages = root.putArray("finished");
            for (RunEvent.StageFinished f : finished) {
                stages.addObject().put("stage", f.stage()).put("seconds", Double.toString(f.seconds()))
                        .put("steps_done", f.stepsDone()).put("stop_reason", f.stopReason()).put("cached", f.cached());
            }
            if (mid != null) {
                ObjectNode m = root.putObject("mid_stage");
                m.put("stage", mid.stage()).put("steps_done", mid.stepsDone()).put("file", mid.file());
                ObjectNode draws = m.putObject("draws");
                mid.draws().forEach(draws::put);
                ObjectNode state = m.putObject("objective_state");
                mid.objectiveState().forEach((name, v) -> {
                    ArrayNode a = state.putArray(name);
                    for (double x : v) {
                        a.add(Double.toString(x));
                    }
                });
            }
            ArrayNode curve = root.putArray("rows");
            for (RunResult.Row r : rows) {
                curve.addArray().add(r.model()).add(r.stage()).add(r.split()).add(r.metric())
                        .add(Double.toString(r.value())).add(r.step());
            }
            try {
                return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root) + "\n";
            } catch (IOException e) {
                throw new IllegalStateException("cannot write the checkpoint manifest", e);
            }
        }

        /**
         * Reads a manifest.
         *
         * @throws IllegalArgumentException naming the file and the field when it is malformed
         */
        static Manifest read(Path file) {
            ConfinedPaths.regularFile(file, "checkpoint manifest");
            Path dir = file.toAbsolutePath().getParent();
            JsonNode root;
            try {
                root = JSON.readTree(file.toFile());
            } catch (IOException e) {
                throw new IllegalArgumentException(file + ": not a readable checkpoint manifest: " + e.getMessage(), e);
            }
            try {
                if (root == null || !FORMAT.equals(text(root, "format"))) {
                    throw new IllegalArgumentException("field format: expected " + FORMAT + " (checkpoints of an "
                            + "older Lethe cannot be resumed: run the recipe again)");
                }
                Map<String, String> models = new LinkedHashMap<>();
                JsonNode files = root.get("models");
                if (files == null || !files.isObject()) {
                    throw new IllegalArgumentException("field models is missing or not a map");
                }
                for (Iterator<Map.Entry<String, JsonNode>> it = files.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> e = it.next();
                    if (!e.getValue().isTextual()) {
                        throw new IllegalArgumentException("field models." + e.getKey() + " is not a file name");
                    }
                    String name = e.getValue().asText();
                    ConfinedPaths.inside(dir, name, "field models." + Printable.escape(e.getKey()));
                    models.put(e.getKey(), name);
                }
                List<RunEvent.StageFinished> finished = new ArrayList<>();
                JsonNode stages = array(root, "finished");
                for (int i = 0; i < stages.size(); i++) {
                    JsonNode f = stages.get(i);
                    finished.add(new RunEvent.StageFinished(text(f, "stage"), Double.parseDouble(text(f, "seconds")),
                            count(f, "steps_done", "finished[" + i + "].steps_done"), text(f, "stop_reason"),
                            f.path("cached").asBoolean()));
                }
                Mid mid = null;
                JsonNode m = root.get("mid_stage");
                if (m != null && !m.isNull()) {
                    Map<String, Long> draws = new TreeMap<>();
                    for (Iterator<Map.Entry<String, JsonNode>> it = m.path("draws").fields(); it.hasNext(); ) {
                        Map.Entry<String, JsonNode> e = it.next();
                        draws.put(e.getKey(), count(m.path("draws"), e.getKey(),
                                "mid_stage.draws." + Printable.escape(e.getKey())));
                    }
                    Map<String, double[]> state = new TreeMap<>();
                    for (Iterator<Map.Entry<String, JsonNode>> it = m.path("objective_state").fields(); it.hasNext(); ) {
                        Map.Entry<String, JsonNode> e = it.next();
                        double[] v = new double[e.getValue().size()];
                        for (int i = 0; i < v.length; i++) {
                            v[i] = Double.parseDouble(e.getValue().get(i).asText());
                        }
                        state.put(e.getKey(), v);
                    }
                    String midFile = text(m, "file");
                    ConfinedPaths.inside(dir, midFile, "field mid_stage.file");
                    mid = new Mid(text(m, "stage"), count(m, "steps_done", "mid_stage.steps_done"), midFile, draws, state);
                }
                List<RunResult.Row> rows = new ArrayList<>();
                for (JsonNode r : array(root, "rows")) {
                    rows.add(new RunResult.Row(r.get(0).asText(), r.get(1).asText(), r.get(2).asText(),
                            r.get(3).asText(), Double.parseDouble(r.get(4).asText()), r.get(5).asLong()));
                }
                return new Manifest(count(root, "generation", "generation"), models, finished, mid, rows);
            } catch (RuntimeException e) {
                throw new IllegalArgumentException(file + ": malformed checkpoint manifest: " + e.getMessage(), e);
            }
        }

        private static String text(JsonNode node, String field) {
            JsonNode v = node.get(field);
            if (v == null || !v.isValueNode() || v.isNull()) {
                throw new IllegalArgumentException("field " + field + " is missing");
            }
            return v.asText();
        }

        /** A whole number >= 0 ({@code where} names the field for the error). */
        private static long count(JsonNode node, String field, String where) {
            JsonNode v = node.get(field);
            if (v == null || !v.canConvertToLong() || !v.isIntegralNumber()) {
                throw new IllegalArgumentException("field " + where + " is missing or not a whole number");
            }
            if (v.asLong() < 0) {
                throw new IllegalArgumentException("field " + where + " is " + v.asLong() + "; it counts, so it "
                        + "cannot be negative (an edited or corrupted manifest: start the run again)");
            }
            return v.asLong();
        }

        private static JsonNode array(JsonNode node, String field) {
            JsonNode v = node.get(field);
            if (v == null || !v.isArray()) {
                throw new IllegalArgumentException("field " + field + " is missing or not a list");
            }
            return v;
        }
    }
}
