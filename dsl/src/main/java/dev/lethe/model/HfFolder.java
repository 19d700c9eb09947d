package dev.lethe.model;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lethe.io.AtomicFiles;
import dev.lethe.io.ConfinedPaths;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * A Hugging Face model folder of any supported family ({@link HfFamilies}): {@code config.json}, whose
 * {@code model_type} selects the {@link HfFamily}; the weights as one {@code model.safetensors} or as shards
 * listed by {@code model.safetensors.index.json}, F32, F16 or BF16 (BF16 and F16 are widened to F32 in Java:
 * DJL's JNI cannot hold BF16); and, when present, {@code tokenizer.json} (read through DJL's binding of
 * Hugging Face tokenizers, special-token ids from {@code config.json}). A folder written by {@link #save} from
 * a model trained on Lethe's word tokenizer also holds {@link #LETHE_TOKENIZER}, which {@link #load} prefers,
 * so that decoding round-trips exactly.
 *
 * <p>{@link #save} writes a folder that {@code transformers}' {@code AutoModelForCausalLM.from_pretrained}
 * loads: the family's tensor names and orientation, F32 (or F16/BF16 on request), optionally sharded, the
 * family's {@code config.json} laid over the source folder's, and the source folder's tokenizer files.
 */
public final class HfFolder {
    /** Hugging Face's tokenizer file. */
    public static final String TOKENIZER = "tokenizer.json";
    /** Lethe's word tokenizer, written beside {@link #TOKENIZER} for models that use it. */
    public static final String LETHE_TOKENIZER = "lethe-tokenizer.json";
    /** Files of a source folder that {@link #save} copies: tokenizer settings, special tokens, template, generation. */
    static final List<String> COPIED = List.of(TokenizerConfig.FILE, TokenizerConfig.SPECIAL_TOKENS_MAP,
            TokenizerConfig.CHAT_TEMPLATE_FILE, TokenizerConfig.GENERATION_CONFIG);

    private static final ObjectMapper JSON = new ObjectMapper();

    private HfFolder() {}

    /**
     * A loaded model and its tokenizer; closing it frees both.
     *
     * @param model the model, trainable, on the device asked for
     * @param tokenizer its tokenizer, or null when the folder has none
     */
    public record Pretrained(CausalLm model, @Nullable Tokenizer tokenizer) implements AutoCloseable {
        @Override
        public void close() {
            model.close();
            if (tokenizer instanceof HfTokenizer hf) {
                hf.close();
            }
        }
    }

    /** The type the weights are stored as. */
    public enum Dtype {
        /** Single precision, exact. */
        F32(Safetensors.StoredType.F32, "float32"),
        /** Half precision. */
        F16(Safetensors.StoredType.F16, "float16"),
        /** bfloat16, rounded to nearest even from F32 in Java. */
        BF16(Safetensors.StoredType.BF16, "bfloat16");

        final Safetensors.StoredType stored;
        final String torchName;

        Dtype(Safetensors.StoredType stored, String torchName) {
            this.stored = stored;
            this.torchName = torchName;
        }
    }

    /**
     * How {@link #save} writes a folder.
     *
     * @param dtype the stored type of the weights
     * @param maxShardBytes the largest shard in bytes (a bigger tensor gets a shard of its own), or 0 for one
     *     {@code model.safetensors}
     * @param source the folder the model was loaded from, or null: its {@code config.json} fields that Lethe
     *     does not model are kept, and its tokenizer files are copied
     */
    public record SaveOptions(Dtype dtype, long maxShardBytes, @Nullable Path source) {
        /** Checks the shard size. */
        public SaveOptions {
            if (maxShardBytes < 0) {
                throw new IllegalArgumentException("maxShardBytes is " + maxShardBytes + "; use 0 for one file");
            }
        }

        /** F32, one file, no source folder. */
        public static SaveOptions defaults() {
            return new SaveOptions(Dtype.F32, 0, null);
        }

        /** The same options storing {@code newDtype}. */
        public SaveOptions withDtype(Dtype newDtype) {
            return new SaveOptions(newDtype, maxShardBytes, source);
        }

        /** The same options with shards of at most {@code bytes} (0: one file). */
        public SaveOptions withMaxShardBytes(long bytes) {
            return new SaveOptions(dtype, bytes, source);
        }

        /** The same options carrying over the configuration and tokenizer files of {@code folder}. */
        public SaveOptions withSource(Path folder) {
            return new SaveOptions(dtype, maxShardBytes, folder);
        }
    }

    /**
     * Loads the model of {@code folder} onto {@code device}, with its tokenizer when the folder has one.
     *
     * @throws IllegalArgumentException naming the folder, the file and the field or tensor when the folder is
     *     not a supported checkpoint (unknown {@code model_type}, unsupported field, missing or misshapen
     *     tensor, corrupted file)
     */
    public static Pretrained load(Path folder, Device device) {
        HfConfig config = HfConfig.read(folder);
        HfFamily family = HfFamilies.forConfig(config);
        ModelSpec spec = family.spec(config);
        Tokenizer tokenizer = tokenizer(folder, config, spec);
        try {
            return new Pretrained(weights(folder, family, spec, device), tokenizer);
        } catch (RuntimeException e) {
            if (tokenizer instanceof HfTokenizer hf) {
                hf.close();
            }
            throw e;
        }
    }

    /**
     * The model spec that {@code folder}'s {@code config.json} describes.
     *
     * @throws IllegalArgumentException naming the file and field when it is not a supported configuration
     */
    public static ModelSpec spec(Path folder) {
        HfConfig config = HfConfig.read(folder);
        return HfFamilies.forConfig(config).spec(config);
    }

    /**
     * Loads the model of {@code folder} onto {@code device} without reading its tokenizer (for a caller that reads
     * the tokenizer otherwise, e.g. through {@link HfTokenizer#fromFolder}).
     *
     * @throws IllegalArgumentException as {@link #load} does for the configuration and the weights
     */
    public static CausalLm loadModel(Path folder, Device device) {
        HfConfig config = HfConfig.read(folder);
        HfFamily family = HfFamilies.forConfig(config);
        return weights(folder, family, family.spec(config), device);
    }

    private static CausalLm weights(Path folder, HfFamily family, ModelSpec spec, Device device) {
        NDManager manager = NDManager.newBaseManager(device);
        try {
            HfWeights.Read read = HfWeights.read(folder, family, spec.architecture(), manager);
            return CausalLm.fromTensors(read.source(), read.parameters(), spec, manager);
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    /** {@link #save(Path, CausalLm, Tokenizer, SaveOptions)} with {@link SaveOptions#defaults()}. */
    public static void save(Path folder, CausalLm model, @Nullable Tokenizer tokenizer) {
        save(folder, model, tokenizer, SaveOptions.defaults());
    }

    /**
     * Writes {@code model} and {@code tokenizer} into {@code folder} (created if missing) as a Hugging Face
     * folder: the weights under the family's checkpoint names as {@code options} asks; {@code tokenizer.json}
     * (the original one for a loaded tokenizer, a WordLevel one with the same vocabulary and word-splitting
     * rule for Lethe's word tokenizer, which is also kept as {@link #LETHE_TOKENIZER}, the source folder's
     * when {@code tokenizer} is null); the source folder's tokenizer settings and generation config; and
     * {@code config.json}: the source's, with the family's fields for the model's spec over it and
     * {@code dtype} (and {@code torch_dtype} when the source has it) set to what was written, and, without a
     * source, the tokenizer's special-token ids. Every file is
     * written atomically, {@code config.json} last; nothing is deleted.
     *
     * @throws IllegalArgumentException when no family saves the model's spec, the model has an analytic head
     *     ({@link CausalLm#head()}) or a GUARD-IT steering ({@link CausalLm#steering()}), neither of which has a
     *     Hugging Face form, or the folder holds weights files this save would not replace
     */
    public static void save(Path folder, CausalLm model, @Nullable Tokenizer tokenizer, SaveOptions options) {
        if (model.head() != null) {
            throw new IllegalArgumentException("cannot save " + folder + " as a Hugging Face folder: the model's logits "
                    + "come from an analytic head (ACU, acu_learn), which transformers cannot load; save it as a "
                    + ".safetensors file, which keeps the head");
        }
        if (model.steering() != null) {
            throw new IllegalArgumentException("cannot save a model with GUARD-IT steering as a Hugging Face folder ("
                    + folder + "): transformers would load its weights without the steering; save it as one "
                    + ".safetensors file, which keeps the steering bank");
        }
        HfFamily family = HfFamilies.forSpec(model.spec());
        ObjectNode config = options.source() == null ? JSON.createObjectNode()
                : (ObjectNode) HfConfig.read(options.source()).json().deepCopy();
        config.setAll(family.config(model.spec()));
        config.put("dtype", options.dtype().torchName);
        if (config.has("torch_dtype")) {
            config.put("torch_dtype", options.dtype().torchName);
        }
        if (tokenizer != null && options.source() == null) {
            putIfAbsent(config, "bos_token_id", tokenizer.bosId());
            putIfAbsent(config, "eos_token_id", tokenizer.eosId());
            putIfAbsent(config, "pad_token_id", tokenizer.padId());
        }
        try {
            Files.createDirectories(folder);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + folder, e);
        }
        HfWeights.write(folder, family, model, new HfWeights.Layout(options.dtype().stored, options.maxShardBytes()));
        if (tokenizer instanceof HfTokenizer hf) {
            AtomicFiles.writeString(folder.resolve(TOKENIZER), hf.json());
        } else if (tokenizer instanceof WordTokenizer word) {
            AtomicFiles.writeString(folder.resolve(TOKENIZER), wordLevel(word));
            word.save(folder.resolve(LETHE_TOKENIZER));
        } else if (tokenizer != null) {
            throw new IllegalArgumentException("cannot save a " + tokenizer.getClass().getSimpleName()
                    + " as tokenizer.json; use Lethe's word tokenizer or a Hugging Face one");
        }
        if (options.source() != null) {
            for (String name : tokenizer == null ? concat(TOKENIZER, COPIED) : COPIED) {
                copyIfPresent(options.source(), folder, name);
            }
        }
        AtomicFiles.writeString(folder.resolve(HfConfig.FILE), config.toPrettyString() + "\n");
    }

    /**
     * Parses a shard size as {@code transformers} writes it ({@code 20KB}, {@code 5GB}, {@code 500MiB}; decimal
     * units for KB/MB/GB, binary for KiB/MiB/GiB) or a plain number of bytes.
     *
     * @throws IllegalArgumentException when it is neither
     */
    public static long parseSize(String size) {
        String s = size.strip().toUpperCase(Locale.ROOT);
        long unit = 1;
        for (String[] u : new String[][] {{"KIB", "1024"}, {"MIB", "1048576"}, {"GIB", "1073741824"}, {"KB", "1000"},
                {"MB", "1000000"}, {"GB", "1000000000"}, {"B", "1"}}) {
            if (s.endsWith(u[0])) {
                unit = Long.parseLong(u[1]);
                s = s.substring(0, s.length() - u[0].length()).strip();
                break;
            }
        }
        try {
            return Math.multiplyExact(Long.parseLong(s), unit);
        } catch (NumberFormatException | ArithmeticException e) {
            throw new IllegalArgumentException("shard size '" + size + "' is not a size; use bytes or e.g. 20KB, 5GB");
        }
    }

    private static List<String> concat(String first, List<String> rest) {
        return Stream.concat(Stream.of(first), rest.stream()).toList();
    }

    private static void putIfAbsent(ObjectNode config, String field, int value) {
        JsonNode n = config.get(field);
        if (n == null || n.isNull()) {
            config.put(field, value);
        }
    }

    private static void copyIfPresent(Path from, Path to, String name) {
        Path file = from.resolve(name);
        if (!Files.exists(file)) {
            return;
        }
        try {
            byte[] bytes = Files.readAllBytes(ConfinedPaths.regularFile(file, "model folder file"));
            AtomicFiles.write(to.resolve(name), out -> out.write(bytes));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    /** A Hugging Face WordLevel tokenizer.json equivalent to {@code word}: same ids, same split into words. */
    static String wordLevel(WordTokenizer word) {
        ObjectNode root = JSON.createObjectNode();
        root.put("version", "1.0");
        root.putNull("truncation");
        root.putNull("padding");
        ArrayNode added = root.putArray("added_tokens");
        List<String> specials = List.of(WordTokenizer.PAD, WordTokenizer.UNK, WordTokenizer.BOS, WordTokenizer.EOS);
        for (String s : specials) {
            added.addObject().put("id", word.vocabulary().indexOf(s)).put("content", s).put("single_word", false)
                    .put("lstrip", false).put("rstrip", false).put("normalized", false).put("special", true);
        }
        root.putNull("normalizer");
        // split on white space (dropping it), then isolate each match of Lethe's word pattern
        ObjectNode pre = root.putObject("pre_tokenizer");
        pre.put("type", "Sequence");
        ArrayNode steps = pre.putArray("pretokenizers");
        steps.addObject().put("type", "WhitespaceSplit");
        ObjectNode split = steps.addObject().put("type", "Split");
        split.putObject("pattern").put("Regex", WordTokenizer.WORD_PATTERN);
        split.put("behavior", "Isolated").put("invert", false);
        root.putNull("post_processor");
        root.putObject("decoder").put("type", "WordPiece").put("prefix", "##").put("cleanup", true);
        ObjectNode model = root.putObject("model");
        model.put("type", "WordLevel");
        ObjectNode vocab = model.putObject("vocab");
        for (int i = 0; i < word.vocabSize(); i++) {
            vocab.put(word.vocabulary().get(i), i);
        }
        model.put("unk_token", WordTokenizer.UNK);
        return root.toPrettyString() + "\n";
    }

    /**
     * The folder's tokenizer: {@link #LETHE_TOKENIZER} when there, else {@link #TOKENIZER} with the special-token
     * ids of {@code config.json} ({@code eos_token_id} required, a list's first entry taken; {@code bos_token_id}
     * and {@code pad_token_id} default to it), else null.
     */
    private static @Nullable Tokenizer tokenizer(Path folder, HfConfig config, ModelSpec spec) {
        Path lethe = folder.resolve(LETHE_TOKENIZER);
        Path file = folder.resolve(TOKENIZER);
        Tokenizer t;
        if (Files.exists(lethe)) {
            t = WordTokenizer.load(lethe);
        } else if (Files.exists(file)) {
            int eos = tokenId(config, "eos_token_id", null);
            t = HfTokenizer.load(file, tokenId(config, "bos_token_id", eos), eos, tokenId(config, "pad_token_id", eos));
        } else {
            return null;
        }
        if (t.vocabSize() > spec.vocabSize()) {
            if (t instanceof HfTokenizer hf) {
                hf.close();
            }
            throw new IllegalArgumentException(config.file() + ": vocab_size is " + spec.vocabSize()
                    + " but the tokenizer has " + t.vocabSize() + " tokens");
        }
        return t;
    }

    /** A special-token id of {@code config}: a whole number or a list's first, else {@code fallback} (required if null). */
    private static int tokenId(HfConfig config, String field, @Nullable Integer fallback) {
        if (!config.has(field)) {
            if (fallback == null) {
                throw new IllegalArgumentException(config.file() + ": field '" + field + "' is missing; it names the "
                        + "special token that " + TOKENIZER + " needs");
            }
            return fallback;
        }
        JsonNode first = config.json().get(field).path(0);
        return first.isIntegralNumber() && first.canConvertToInt() ? first.intValue() : config.integer(field);
    }
}
