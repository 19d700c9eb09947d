package dev.lethe.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lethe.io.AtomicFiles;
import dev.lethe.io.ConfinedPaths;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The safetensors weights of a Hugging Face folder: one {@code model.safetensors}, or shards listed by
 * {@code model.safetensors.index.json} ({@code weight_map}: tensor name → shard file, confined to the folder).
 * Reading maps checkpoint tensors to Lethe's parameters through an {@link HfFamily} (names, orientation),
 * widening F16/BF16 to F32 one shard at a time; writing does the reverse, one tensor at a time.
 */
final class HfWeights {
    /** The single weights file. */
    static final String SINGLE = "model.safetensors";
    /** The index of a sharded checkpoint. */
    static final String INDEX = "model.safetensors.index.json";
    /** Files a save may write (and so may replace): the single file, the index and shards. */
    private static final Pattern WEIGHTS_FILE =
            Pattern.compile("model\\.safetensors|model\\.safetensors\\.index\\.json|model-\\d{5}-of-\\d{5}\\.safetensors");
    private static final ObjectMapper JSON = new ObjectMapper();

    private HfWeights() {}

    /** What {@link #read} gives: the parameters (F32, Lethe's orientation) and the file to name in errors. */
    record Read(Map<String, NDArray> parameters, Path source) {}

    /**
     * Reads the weights of {@code folder} into {@code manager} as the parameters of {@code architecture}.
     *
     * @throws IllegalArgumentException naming the folder, the file and the tensor when a tensor is missing,
     *     misshapen, unexpected or present twice, or the index is malformed
     */
    static Read read(Path folder, HfFamily family, Architecture architecture, NDManager manager) {
        Path single = folder.resolve(SINGLE);
        Path index = folder.resolve(INDEX);
        Map<Path, Set<String>> shards = new LinkedHashMap<>();
        Path source;
        if (Files.exists(single)) {
            shards.put(single, null);
            source = single;
        } else if (Files.exists(index)) {
            shards.putAll(shards(folder, index));
            source = index;
        } else {
            throw new IllegalArgumentException(folder + ": neither " + SINGLE + " nor " + INDEX + " is there");
        }
        Map<String, Shape> expected = new LinkedHashMap<>();
        for (ParameterSpec p : architecture.parameters()) {
            expected.put(p.name(), p.shape());
        }
        String head = family.parameterName(family.headCheckpointName());
        boolean tied = tied(architecture);
        Map<String, NDArray> parameters = new LinkedHashMap<>();
        NDArray headCopy = null;
        Path headFile = null;
        for (Map.Entry<Path, Set<String>> shard : shards.entrySet()) {
            Path file = shard.getKey();
            Map<String, NDArray> tensors = Safetensors.read(file, manager);
            if (shard.getValue() != null && !tensors.keySet().equals(shard.getValue())) {
                Set<String> missing = new HashSet<>(shard.getValue());
                missing.removeAll(tensors.keySet());
                Set<String> extra = new HashSet<>(tensors.keySet());
                extra.removeAll(shard.getValue());
                tensors.values().forEach(NDArray::close);
                throw new IllegalArgumentException(file + ": holds tensors " + extra + " that " + INDEX
                        + " does not place there, and lacks " + missing + " that it does");
            }
            for (Map.Entry<String, NDArray> e : tensors.entrySet()) {
                String checkpointName = e.getKey();
                NDArray a = e.getValue();
                String name = family.parameterName(checkpointName);
                if (name == null) {
                    a.close();
                    continue;
                }
                if (tied && name.equals(head) && !expected.containsKey(name)) {
                    headCopy = widen(a);
                    headFile = file;
                    continue;
                }
                Shape shape = expected.get(name);
                if (shape == null) {
                    throw new IllegalArgumentException(file + ": unexpected tensor '" + checkpointName + "' for "
                            + folder.resolve(HfConfig.FILE) + "'s model of " + architecture.blocks() + " blocks");
                }
                boolean transposed = family.transposedInCheckpoint(name);
                Shape stored = transposed ? transpose(shape) : shape;
                if (!a.getShape().equals(stored)) {
                    throw new IllegalArgumentException(file + ": tensor '" + checkpointName + "' has shape "
                            + a.getShape() + ", expected " + stored + " by " + folder.resolve(HfConfig.FILE));
                }
                NDArray value = widen(a);
                if (transposed) {
                    NDArray t = transposedCopy(value);
                    value.close();
                    value = t;
                }
                value.setName(name);
                if (parameters.put(name, value) != null) {
                    throw new IllegalArgumentException(file + ": tensor '" + checkpointName + "' (parameter '" + name
                            + "') appears twice in " + folder);
                }
            }
        }
        for (String name : expected.keySet()) {
            if (!parameters.containsKey(name)) {
                throw new IllegalArgumentException(source + ": tensor '" + family.checkpointName(name)
                        + "' is missing (needed by " + folder.resolve(HfConfig.FILE) + ")");
            }
        }
        if (headCopy != null) {
            NDArray embedding = parameters.get(architecture.find(Role.TOKEN_EMBEDDING).orElseThrow().weight());
            boolean same = headCopy.getShape().equals(embedding.getShape()) && headCopy.contentEquals(embedding);
            headCopy.close();
            if (!same) {
                throw new IllegalArgumentException(headFile + ": tensor '" + family.headCheckpointName()
                        + "' differs from the token embedding, but " + folder.resolve(HfConfig.FILE)
                        + " ties them (tie_word_embeddings); only tied output heads are supported for this model");
            }
        }
        return new Read(parameters, source);
    }

    /** Whether the output head is the token embedding itself. */
    static boolean tied(Architecture architecture) {
        var embedding = architecture.find(Role.TOKEN_EMBEDDING);
        var head = architecture.find(Role.LM_HEAD);
        return embedding.isPresent() && head.isPresent() && embedding.get().weight().equals(head.get().weight());
    }

    /** F32 {@code a}, closing {@code a} when it had to be converted. */
    private static NDArray widen(NDArray a) {
        if (a.getDataType() == DataType.FLOAT32) {
            return a;
        }
        NDArray f32 = a.toType(DataType.FLOAT32, false);
        a.close();
        return f32;
    }

    /**
     * The transpose of matrix {@code a} as a contiguous array of its own: flattening the transposed view copies
     * it in the new order, and reshaping that copy is a view of it.
     */
    private static NDArray transposedCopy(NDArray a) {
        NDArray view = a.transpose();
        NDArray flat = view.flatten();
        NDArray out = flat.reshape(a.getShape().get(1), a.getShape().get(0));
        view.close();
        if (out != flat) {
            flat.close();
        }
        return out;
    }

    private static Shape transpose(Shape shape) {
        if (shape.dimension() != 2) {
            throw new IllegalStateException("only matrices are stored transposed, not " + shape);
        }
        return new Shape(shape.get(1), shape.get(0));
    }

    /** The shard files of {@code index} in first-mention order, each with the tensors it should hold. */
    private static Map<Path, Set<String>> shards(Path folder, Path index) {
        JsonNode root;
        try {
            root = JSON.readTree(Files.readString(ConfinedPaths.regularFile(index, "model folder file")));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException(index + ": not valid JSON (line " + e.getLocation().getLineNr() + "): "
                    + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + index, e);
        }
        JsonNode map = root == null ? null : root.get("weight_map");
        if (map == null || !map.isObject() || map.isEmpty()) {
            throw new IllegalArgumentException(index + ": field 'weight_map' (tensor name -> shard file) is missing "
                    + "or empty");
        }
        Map<Path, Set<String>> shards = new LinkedHashMap<>();
        map.fields().forEachRemaining(e -> {
            if (!e.getValue().isTextual()) {
                throw new IllegalArgumentException(index + ": field 'weight_map' maps '" + e.getKey() + "' to "
                        + e.getValue() + "; expected a file name");
            }
            Path shard = ConfinedPaths.inside(folder, e.getValue().asText(),
                    index + ", field 'weight_map', tensor '" + e.getKey() + "'");
            shards.computeIfAbsent(shard, s -> new HashSet<>()).add(e.getKey());
        });
        return shards;
    }

    /** How a save stores the weights. */
    record Layout(Safetensors.StoredType type, long maxShardBytes) {}

    /**
     * Writes the weights of {@code model} into {@code folder} under the checkpoint names of {@code family}
     * (transposed back where the checkpoint stores them so), as one file or, when they exceed
     * {@code layout.maxShardBytes()} (0: never), as shards in parameter order with an index. Each file is
     * written atomically; files of an earlier save that this one would not replace are an error, since a loader
     * could pick them up (nothing is deleted).
     *
     * @return the files written
     */
    static List<Path> write(Path folder, HfFamily family, CausalLm model, Layout layout) {
        Weights weights = model.weights();
        if (weights != model.baseWeights()) {
            throw new IllegalStateException("cannot save a model with adapters attached: merge them first");
        }
        List<List<Safetensors.Entry>> shards = new ArrayList<>();
        List<Safetensors.Entry> current = new ArrayList<>();
        long currentBytes = 0;
        long total = 0;
        for (Map.Entry<String, NDArray> e : weights.asMap().entrySet()) {
            String name = e.getKey();
            NDArray a = e.getValue();
            boolean transposed = family.transposedInCheckpoint(name);
            Shape shape = transposed ? transpose(a.getShape()) : a.getShape();
            Safetensors.StoredType type = layout.type();
            var entry = new Safetensors.Entry(family.checkpointName(name), type, shape, () -> {
                NDArray v = transposed ? transposedCopy(a) : a;
                return v.toType(type == Safetensors.StoredType.F16 ? DataType.FLOAT16 : DataType.FLOAT32, false);
            });
            long bytes = shape.size() * type.width;
            if (layout.maxShardBytes() > 0 && !current.isEmpty() && currentBytes + bytes > layout.maxShardBytes()) {
                shards.add(current);
                current = new ArrayList<>();
                currentBytes = 0;
            }
            current.add(entry);
            currentBytes += bytes;
            total += bytes;
        }
        shards.add(current);
        Map<String, String> metadata = Map.of("format", "pt");
        List<Path> files = new ArrayList<>();
        if (shards.size() == 1) {
            files.add(folder.resolve(SINGLE));
        } else {
            for (int i = 0; i < shards.size(); i++) {
                files.add(folder.resolve(String.format("model-%05d-of-%05d.safetensors", i + 1, shards.size())));
            }
            files.add(folder.resolve(INDEX));
        }
        requireNoStaleWeights(folder, files);
        ObjectNode index = JSON.createObjectNode();
        index.putObject("metadata").put("total_size", total);
        ObjectNode map = index.putObject("weight_map");
        for (int i = 0; i < shards.size(); i++) {
            Safetensors.write(files.get(i), shards.get(i), metadata);
            for (Safetensors.Entry e : shards.get(i)) {
                map.put(e.name(), files.get(i).getFileName().toString());
            }
        }
        if (shards.size() > 1) {
            AtomicFiles.writeString(folder.resolve(INDEX), index.toPrettyString() + "\n");
        }
        return files;
    }

    private static void requireNoStaleWeights(Path folder, List<Path> written) {
        if (!Files.isDirectory(folder)) {
            return;
        }
        try (Stream<Path> list = Files.list(folder)) {
            List<String> stale = list.map(p -> p.getFileName().toString())
                    .filter(n -> WEIGHTS_FILE.matcher(n).matches())
                    .filter(n -> written.stream().noneMatch(w -> w.getFileName().toString().equals(n)))
                    .sorted().toList();
            if (!stale.isEmpty()) {
                throw new IllegalArgumentException(folder + ": holds weights " + stale + " that this save would not "
                        + "replace and a loader could read; save into an empty folder or remove them");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + folder, e);
        }
    }
}
