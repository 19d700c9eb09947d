package dev.lethe.model;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A GPT-2-family model in a Hugging Face folder: {@code config.json} (GPT2Config's fields),
 * {@code model.safetensors} (GPT-2 tensor names, with or without the {@code transformer.} prefix that
 * {@code GPT2LMHeadModel} adds; F32, F16 or BF16 — BF16 is widened to F32 in Java, because BF16 arrays crash
 * DJL's JNI) and {@code tokenizer.json} (read through DJL's binding of Hugging Face tokenizers). A folder
 * written by {@link #save} from a model trained on Lethe's word tokenizer also holds
 * {@code lethe-tokenizer.json}, which {@link #load} prefers, so that decoding round-trips exactly.
 *
 * <p>Supported: tied input/output embeddings, {@code n_inner} = 4·{@code n_embd}, layer-norm ε = 1e-5,
 * activation {@code gelu_new} (GPT-2's tanh approximation) or {@code gelu}; anything else is rejected with
 * the field named. Dropout rates are read but not used: a loaded model runs without dropout.
 */
public final class Gpt2Folder {
    /** The configuration file. */
    public static final String CONFIG = "config.json";
    /** The weights file. */
    public static final String WEIGHTS = "model.safetensors";
    /** Hugging Face's tokenizer file. */
    public static final String TOKENIZER = "tokenizer.json";
    /** Lethe's word tokenizer, written beside {@link #TOKENIZER} for models that use it. */
    public static final String LETHE_TOKENIZER = "lethe-tokenizer.json";

    private static final ObjectMapper JSON = new ObjectMapper();
    /** Buffers that Hugging Face checkpoints carry beside the parameters: the causal mask and its fill value. */
    private static final Pattern BUFFER = Pattern.compile("h\\.\\d+\\.attn\\.(bias|masked_bias)");

    private Gpt2Folder() {}

    /**
     * A loaded model and its tokenizer; closing it frees both.
     *
     * @param model the model, trainable, on the device asked for
     * @param tokenizer its tokenizer
     */
    public record Pretrained(CausalLm model, Tokenizer tokenizer) implements AutoCloseable {
        @Override
        public void close() {
            model.close();
            if (tokenizer instanceof HfTokenizer hf) {
                hf.close();
            }
        }
    }

    /**
     * Loads the model and tokenizer of {@code folder} onto {@code device}.
     *
     * @throws IllegalArgumentException naming the file and field or tensor when the folder is not a supported
     *     GPT-2 checkpoint
     */
    public static Pretrained load(Path folder, Device device) {
        Path configFile = folder.resolve(CONFIG);
        JsonNode json = readJson(configFile);
        GptConfig config = config(configFile, json);
        Tokenizer tokenizer = tokenizer(folder, json, config);
        NDManager manager = NDManager.newBaseManager(device);
        try {
            Path weights = folder.resolve(WEIGHTS);
            Map<String, NDArray> renamed = new LinkedHashMap<>();
            for (Map.Entry<String, NDArray> e : Safetensors.read(weights, manager).entrySet()) {
                String name = e.getKey().startsWith("transformer.") ? e.getKey().substring(12) : e.getKey();
                if (BUFFER.matcher(name).matches()) {
                    e.getValue().close();
                } else if (name.equals("lm_head.weight")) {
                    renamed.put(name, e.getValue()); // checked against the token embedding below
                } else if (renamed.put(name, e.getValue()) != null) {
                    throw new IllegalArgumentException(weights + ": tensor '" + name + "' appears twice");
                }
            }
            NDArray head = renamed.remove("lm_head.weight");
            CausalLm model = CausalLm.fromTensors(weights, renamed, config, manager);
            if (head != null) {
                String embedding = model.architecture().find(Role.TOKEN_EMBEDDING).orElseThrow().weight();
                NDArray tokens = model.weights().get(embedding);
                boolean tied = head.getShape().equals(tokens.getShape())
                        && head.toType(ai.djl.ndarray.types.DataType.FLOAT32, false).contentEquals(tokens);
                head.close();
                if (!tied) {
                    throw new IllegalArgumentException(weights + ": tensor 'lm_head.weight' differs from '" + embedding
                            + "'; only tied output embeddings are supported");
                }
            }
            for (String name : renamed.keySet()) {
                if (!model.weights().asMap().containsKey(name)) {
                    throw new IllegalArgumentException(weights + ": unexpected tensor '" + name + "' for a GPT-2 model"
                            + " of " + config.layers() + " layers");
                }
            }
            return new Pretrained(model, tokenizer);
        } catch (RuntimeException e) {
            manager.close();
            if (tokenizer instanceof HfTokenizer hf) {
                hf.close();
            }
            throw e;
        }
    }

    /**
     * Writes {@code model} and {@code tokenizer} into {@code folder} (created if missing) in the layout that
     * {@link #load} and Hugging Face's {@code GPT2LMHeadModel.from_pretrained} read: F32 weights under GPT-2's
     * names, {@code config.json}, and {@code tokenizer.json} (the original one for a loaded tokenizer; a
     * WordLevel tokenizer with the same vocabulary and word-splitting rule for Lethe's word tokenizer, which
     * is also kept as {@link #LETHE_TOKENIZER}). Every file is written atomically.
     */
    public static void save(Path folder, CausalLm model, Tokenizer tokenizer) {
        try {
            Files.createDirectories(folder);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + folder, e);
        }
        GptConfig c = model.config();
        ObjectNode config = JSON.createObjectNode();
        config.put("model_type", "gpt2");
        config.putArray("architectures").add("GPT2LMHeadModel");
        config.put("vocab_size", c.vocabSize()).put("n_positions", c.contextLength()).put("n_ctx", c.contextLength())
                .put("n_embd", c.width()).put("n_layer", c.layers()).put("n_head", c.heads()).putNull("n_inner")
                .put("activation_function", c.activation() == GptConfig.Activation.GELU ? "gelu" : "gelu_new")
                .put("layer_norm_epsilon", 1e-5).put("resid_pdrop", c.dropout()).put("embd_pdrop", c.dropout())
                .put("attn_pdrop", c.dropout()).put("tie_word_embeddings", true)
                .put("bos_token_id", tokenizer.bosId()).put("eos_token_id", tokenizer.eosId())
                .put("pad_token_id", tokenizer.padId());
        model.save(folder.resolve(WEIGHTS));
        if (tokenizer instanceof HfTokenizer hf) {
            AtomicFiles.writeString(folder.resolve(TOKENIZER), hf.json());
        } else if (tokenizer instanceof WordTokenizer word) {
            AtomicFiles.writeString(folder.resolve(TOKENIZER), wordLevel(word));
            word.save(folder.resolve(LETHE_TOKENIZER));
        } else {
            throw new IllegalArgumentException("cannot save a " + tokenizer.getClass().getSimpleName()
                    + " as tokenizer.json; use Lethe's word tokenizer or a Hugging Face one");
        }
        AtomicFiles.writeString(folder.resolve(CONFIG), config.toPrettyString() + "\n");
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

    private static GptConfig config(Path file, JsonNode json) {
        String type = json.path("model_type").asText("gpt2");
        if (!type.equals("gpt2")) {
            throw new IllegalArgumentException(file + ": model_type is '" + type + "'; only gpt2 is supported");
        }
        int width = integer(file, json, "n_embd");
        JsonNode inner = json.get("n_inner");
        if (inner != null && !inner.isNull() && inner.asInt() != 4 * width) {
            throw new IllegalArgumentException(file + ": n_inner is " + inner.asInt() + "; only 4 * n_embd = "
                    + 4 * width + " (or null) is supported");
        }
        double eps = json.path("layer_norm_epsilon").asDouble(1e-5);
        if (Math.abs(eps - 1e-5) > 1e-12) {
            throw new IllegalArgumentException(file + ": layer_norm_epsilon is " + eps + "; only 1e-5 is supported");
        }
        if (!json.path("tie_word_embeddings").asBoolean(true)) {
            throw new IllegalArgumentException(file + ": tie_word_embeddings is false; only tied embeddings are supported");
        }
        if (json.path("scale_attn_by_inverse_layer_idx").asBoolean(false)
                || json.path("reorder_and_upcast_attn").asBoolean(false)) {
            throw new IllegalArgumentException(file + ": scale_attn_by_inverse_layer_idx / reorder_and_upcast_attn are "
                    + "not supported");
        }
        String act = json.path("activation_function").asText("gelu_new");
        GptConfig.Activation activation = switch (act) {
            case "gelu_new", "gelu_pytorch_tanh" -> GptConfig.Activation.GELU_TANH;
            case "gelu" -> GptConfig.Activation.GELU;
            default -> throw new IllegalArgumentException(file + ": activation_function '" + act
                    + "' is not supported; expected gelu_new, gelu_pytorch_tanh or gelu");
        };
        int context = json.has("n_positions") ? integer(file, json, "n_positions") : integer(file, json, "n_ctx");
        try {
            return new GptConfig(integer(file, json, "vocab_size"), integer(file, json, "n_layer"), width,
                    integer(file, json, "n_head"), context, 0f, activation);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }

    private static Tokenizer tokenizer(Path folder, JsonNode json, GptConfig config) {
        Path lethe = folder.resolve(LETHE_TOKENIZER);
        Tokenizer t;
        if (Files.isRegularFile(lethe)) {
            t = WordTokenizer.load(lethe);
        } else {
            Path file = folder.resolve(TOKENIZER);
            if (!Files.isRegularFile(file)) {
                throw new IllegalArgumentException(folder + ": neither " + TOKENIZER + " nor " + LETHE_TOKENIZER
                        + " is there");
            }
            Path configFile = folder.resolve(CONFIG);
            int eos = integer(configFile, json, "eos_token_id");
            int bos = json.has("bos_token_id") ? integer(configFile, json, "bos_token_id") : eos;
            int pad = json.hasNonNull("pad_token_id") ? integer(configFile, json, "pad_token_id") : eos;
            t = HfTokenizer.load(file, bos, eos, pad);
        }
        if (t.vocabSize() > config.vocabSize()) {
            if (t instanceof HfTokenizer hf) {
                hf.close();
            }
            throw new IllegalArgumentException(folder.resolve(CONFIG) + ": vocab_size is " + config.vocabSize()
                    + " but the tokenizer has " + t.vocabSize() + " tokens");
        }
        return t;
    }

    private static int integer(Path file, JsonNode json, String field) {
        JsonNode n = json.get(field);
        if (n == null || !n.canConvertToInt() || !n.isIntegralNumber()) {
            throw new IllegalArgumentException(file + ": field " + field + " must be an integer, was "
                    + (n == null ? "missing" : n.toString()));
        }
        return n.asInt();
    }

    private static JsonNode readJson(Path file) {
        try {
            JsonNode n = JSON.readTree(Files.readString(ConfinedPaths.regularFile(file, "model folder file")));
            if (n == null || !n.isObject()) {
                throw new IllegalArgumentException(file + ": expected a JSON object");
            }
            return n;
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException(file + ": not valid JSON at line " + e.getLocation().getLineNr() + ": "
                    + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new IllegalArgumentException(file + ": cannot read (" + e.getMessage() + ")", e);
        }
    }
}
