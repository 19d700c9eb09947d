package dev.lethe.run;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lethe.io.AtomicFiles;
import dev.lethe.model.CausalLm;
import dev.lethe.model.ModelSpec;
import dev.lethe.model.Safetensors;
import dev.lethe.result.RunEvent;
import dev.lethe.result.RunResult;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
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
 * moment leaves the previous manifest and every file it names intact. Files the manifest no longer names are
 * deleted after it is written, and when the folder is opened again.
 *
 * <p>What is not checkpointed: the attack, evaluate and save stages, which a resumed run repeats (they are
 * deterministic, and short next to training).
 */
final class Checkpoints {
    static final String MANIFEST = "manifest.json";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path dir;
    private final long every;
    private Manifest manifest;

    private Checkpoints(Path dir, long every, Manifest manifest) {
        this.dir = dir;
        this.every = every;
        this.manifest = manifest;
    }

    /**
     * Checkpoints in {@code dir}: an empty folder starts a fresh run; one with a manifest continues it.
     *
     * @param every a mid-stage checkpoint every this many steps of a training stage (0: only at stage ends)
     * @throws IllegalArgumentException when the manifest is unreadable
     */
    static Checkpoints open(Path dir, long every) {
        if (every < 0) {
            throw new IllegalArgumentException("checkpoint interval must be >= 0 steps, was " + every);
        }
        Path file = dir.resolve(MANIFEST);
        Manifest m = Files.exists(file) ? Manifest.read(file) : Manifest.EMPTY;
        Checkpoints c = new Checkpoints(dir, every, m);
        c.deleteUnnamed();
        return c;
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
        return CausalLm.load(dir.resolve(file), config, device);
    }

    /** Reads a mid-stage checkpoint's arrays into {@code manager}. */
    Map<String, NDArray> readArrays(String file, NDManager manager) {
        return Safetensors.read(dir.resolve(file), manager);
    }

    /**
     * Records a finished training stage (or request): its event, its model {@code modelName} (written to
     * {@code <stage>.safetensors}, replacing the model's earlier file) and the curve rows so far.
     */
    RunEvent.CheckpointWritten stageDone(RunEvent.StageFinished finished, String modelName, CausalLm model,
            List<RunResult.Row> rows) {
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

    private void commit(Manifest next) {
        Manifest numbered = next.numbered(manifest.generation() + 1);
        AtomicFiles.writeString(dir.resolve(MANIFEST), numbered.json());
        manifest = numbered;
        deleteUnnamed();
    }

    /** Deletes checkpoint files the manifest does not name (older ones, and temporary files of a killed write). */
    private void deleteUnnamed() {
        if (!Files.isDirectory(dir)) {
            return;
        }
        Set<String> keep = manifest.files();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                String name = f.getFileName().toString();
                boolean ours = name.endsWith(".safetensors") || name.endsWith(".tmp");
                if (ours && !keep.contains(name)) {
                    Files.deleteIfExists(f);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot tidy the checkpoints in " + dir, e);
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
                if (!s.stage().trains()) {
                    continue;
                }
                if (!models.containsKey(s.model())) {
                    return false;
                }
                int requests = s.stage() instanceof dev.lethe.spec.Unlearning u ? u.requests() : 1;
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
                    models.put(e.getKey(), e.getValue().asText());
                }
                List<RunEvent.StageFinished> finished = new ArrayList<>();
                for (JsonNode f : array(root, "finished")) {
                    finished.add(new RunEvent.StageFinished(text(f, "stage"), Double.parseDouble(text(f, "seconds")),
                            number(f, "steps_done"), text(f, "stop_reason"), f.path("cached").asBoolean()));
                }
                Mid mid = null;
                JsonNode m = root.get("mid_stage");
                if (m != null && !m.isNull()) {
                    Map<String, Long> draws = new TreeMap<>();
                    for (Iterator<Map.Entry<String, JsonNode>> it = m.path("draws").fields(); it.hasNext(); ) {
                        Map.Entry<String, JsonNode> e = it.next();
                        draws.put(e.getKey(), e.getValue().asLong());
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
                    mid = new Mid(text(m, "stage"), number(m, "steps_done"), text(m, "file"), draws, state);
                }
                List<RunResult.Row> rows = new ArrayList<>();
                for (JsonNode r : array(root, "rows")) {
                    rows.add(new RunResult.Row(r.get(0).asText(), r.get(1).asText(), r.get(2).asText(),
                            r.get(3).asText(), Double.parseDouble(r.get(4).asText()), r.get(5).asLong()));
                }
                return new Manifest(number(root, "generation"), models, finished, mid, rows);
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

        private static long number(JsonNode node, String field) {
            JsonNode v = node.get(field);
            if (v == null || !v.canConvertToLong()) {
                throw new IllegalArgumentException("field " + field + " is missing or not a whole number");
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
