package dev.lethe.model;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lethe.io.ConfinedPaths;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * A Hugging Face {@code tokenizer.json} (BPE — byte-level as GPT-2, Llama 3 and Qwen, or SentencePiece-style with
 * Metaspace and byte fallback as Llama 2, TinyLlama and Mistral —, WordPiece, WordLevel, ...) read through DJL's
 * binding of the Rust {@code tokenizers} library, seen as a Lethe {@link Tokenizer}. Holds a native handle: close
 * it when done.
 *
 * <p><b>Special tokens.</b> {@link #encode} never adds special tokens (the {@link Tokenizer} contract; transformers'
 * {@code add_special_tokens=False}), but special-token texts written in the input, such as {@code <|eot_id|>} in a
 * rendered chat template, become their ids, as transformers does by default ({@code split_special_tokens=False}).
 * {@link #encodeWithSpecialTokens} is transformers' {@code add_special_tokens=True}: the {@code tokenizer.json}
 * post-processor adds what it adds (Llama's {@code <s>}, Llama 3's {@code <|begin_of_text|>}, nothing for GPT-2 or
 * Qwen). {@link #decode} skips special tokens.
 *
 * <p><b>Ids.</b> A folder read by {@link #fromFolder} takes bos, eos, pad and unk from its tokenizer files
 * ({@link TokenizerConfig}), else from {@code generation_config.json} / {@code config.json}. Without any pad token
 * (Llama, Mistral) the pad id is the eos id, as most unlearning code sets it ({@code tokenizer.pad_token =
 * tokenizer.eos_token}): padded positions are masked, so the choice only needs to be a valid id. Without a bos token
 * (Qwen, GPT-NeoX) the bos id is {@code config.json}'s {@code bos_token_id}, else the eos id (GPT-2's convention).
 */
public final class HfTokenizer implements Tokenizer, AutoCloseable {
    /** The tokenizer file of a model folder. */
    public static final String FILE = "tokenizer.json";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HuggingFaceTokenizer tokenizer;
    private final String json;
    private final List<String> vocabulary;
    private final int bos;
    private final int eos;
    private final int pad;
    private final @Nullable TokenizerConfig config;
    private final List<Integer> stopIds;
    private final boolean cleanUp;

    private HfTokenizer(HuggingFaceTokenizer tokenizer, String json, List<String> vocabulary, int bos, int eos,
            int pad, @Nullable TokenizerConfig config, List<Integer> stopIds, boolean cleanUp) {
        this.tokenizer = tokenizer;
        this.json = json;
        this.vocabulary = vocabulary;
        this.bos = bos;
        this.eos = eos;
        this.pad = pad;
        this.config = config;
        this.stopIds = stopIds;
        this.cleanUp = cleanUp;
    }

    /**
     * Reads {@code file} ({@code tokenizer.json}) with the given special-token ids and no other folder files.
     *
     * @throws IllegalArgumentException when the file is not a tokenizer the library can read, or an id is
     *     outside its vocabulary
     */
    public static HfTokenizer load(Path file, int bos, int eos, int pad) {
        String text = read(file);
        List<String> vocabulary = vocabulary(file, tree(file, text));
        for (int id : new int[] {bos, eos, pad}) {
            if (id < 0 || id >= vocabulary.size()) {
                throw new IllegalArgumentException(file + ": special token id " + id + " is outside the vocabulary of "
                        + vocabulary.size() + " tokens");
            }
        }
        return new HfTokenizer(open(file), text, vocabulary, bos, eos, pad, null, List.of(eos), false);
    }

    /**
     * Reads a model folder's {@code tokenizer.json} with its {@code tokenizer_config.json},
     * {@code special_tokens_map.json}, {@code generation_config.json}, {@code config.json} and chat templates
     * (see the class comment for how the special tokens are chosen).
     *
     * @throws IllegalArgumentException when {@code tokenizer.json} is missing or unreadable, a file or field is
     *     malformed, a named special token is not in the vocabulary, an id is outside it, or no file names an eos
     *     token; the message names the file and the field
     */
    public static HfTokenizer fromFolder(Path folder) {
        Path file = folder.resolve(FILE);
        String text = read(file);
        JsonNode root = tree(file, text);
        List<String> vocabulary = vocabulary(file, root);
        TokenizerConfig config = TokenizerConfig.read(folder);
        Map<String, Integer> index = new HashMap<>();
        for (int id = vocabulary.size() - 1; id >= 0; id--) {
            index.put(vocabulary.get(id), id);
        }
        Integer eos = special(config, "eos_token", index, vocabulary.size());
        if (eos == null) {
            throw new IllegalArgumentException(folder + ": no eos token: none of " + TokenizerConfig.FILE + " or "
                    + TokenizerConfig.SPECIAL_TOKENS_MAP + " (field eos_token), " + TokenizerConfig.GENERATION_CONFIG
                    + " or " + HfConfig.FILE + " (field eos_token_id) names one");
        }
        Integer bos = special(config, "bos_token", index, vocabulary.size());
        Integer pad = special(config, "pad_token", index, vocabulary.size());
        special(config, "unk_token", index, vocabulary.size());
        Set<Integer> stops = new LinkedHashSet<>();
        stops.add(eos);
        for (int id : config.ids("eos_token_id")) {
            stops.add(checked(id, config, "eos_token_id", vocabulary.size()));
        }
        boolean cleanUp = config.cleanUpTokenizationSpaces()
                && !"BPE".equals(root.path("model").path("type").asText());
        return new HfTokenizer(open(file), text, vocabulary, bos == null ? eos : bos, eos, pad == null ? eos : pad,
                config, List.copyOf(stops), cleanUp);
    }

    /** The id of special token {@code field}: its text's id, else the first id the configs give, else null. */
    private static @Nullable Integer special(TokenizerConfig config, String field, Map<String, Integer> index,
            int size) {
        Optional<TokenizerConfig.SpecialToken> token = config.token(field);
        if (token.isPresent()) {
            Integer id = index.get(token.get().content());
            if (id == null) {
                throw new IllegalArgumentException(token.get().file() + ": field " + field + " names \""
                        + token.get().content() + "\", which is not a token of " + FILE);
            }
            return id;
        }
        List<Integer> ids = config.ids(field + "_id");
        return ids.isEmpty() ? null : checked(ids.get(0), config, field + "_id", size);
    }

    private static int checked(int id, TokenizerConfig config, String field, int size) {
        if (id < 0 || id >= size) {
            throw new IllegalArgumentException(config.idsFile(field) + ": field " + field + " holds id " + id
                    + ", outside the vocabulary of " + size + " tokens of " + FILE);
        }
        return id;
    }

    private static String read(Path file) {
        try {
            return Files.readString(ConfinedPaths.regularFile(file, "tokenizer file"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    private static HuggingFaceTokenizer open(Path file) {
        try {
            return HuggingFaceTokenizer.newInstance(file,
                    Map.of("addSpecialTokens", "false", "truncation", "false", "padding", "false"));
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException(file + ": not a tokenizer the tokenizers library can read: "
                    + e.getMessage(), e);
        }
    }

    private static JsonNode tree(Path file, String text) {
        try {
            JsonNode root = JSON.readTree(text);
            if (root == null || !root.isObject()) {
                throw new IllegalArgumentException(file + ": expected a JSON object");
            }
            return root;
        } catch (IOException e) {
            throw new IllegalArgumentException(file + ": not JSON: " + e.getMessage(), e);
        }
    }

    /** The vocabulary of {@code model.vocab} plus {@code added_tokens}, indexed by id. */
    private static List<String> vocabulary(Path file, JsonNode root) {
        JsonNode vocab = root.path("model").get("vocab");
        if (vocab == null || !vocab.isObject()) {
            throw new IllegalArgumentException(file + ": field model.vocab (token -> id) is missing");
        }
        List<String> out = new ArrayList<>();
        var put = (java.util.function.BiConsumer<String, Integer>) (token, id) -> {
            while (out.size() <= id) {
                out.add(null);
            }
            out.set(id, token);
        };
        vocab.fields().forEachRemaining(e -> put.accept(e.getKey(), e.getValue().asInt()));
        for (JsonNode added : root.path("added_tokens")) {
            put.accept(added.path("content").asText(), added.path("id").asInt());
        }
        int hole = out.indexOf(null);
        if (hole >= 0) {
            throw new IllegalArgumentException(file + ": no token has id " + hole + " (ids must run from 0 without gaps)");
        }
        return Collections.unmodifiableList(out);
    }

    /** The ids of {@code text}, without added special tokens (special-token texts in it become their ids). */
    @Override
    public int[] encode(String text) {
        return ids(tokenizer.encode(text, false, false));
    }

    /**
     * The ids of {@code text} with the special tokens the {@code tokenizer.json} post-processor adds, as
     * transformers' {@code tokenizer(text, add_special_tokens=True)}.
     */
    public int[] encodeWithSpecialTokens(String text) {
        return ids(tokenizer.encode(text, true, false));
    }

    private static int[] ids(Encoding e) {
        return Arrays.stream(e.getIds()).mapToInt(Math::toIntExact).toArray();
    }

    /**
     * The text of {@code ids}, special tokens skipped; {@code clean_up_tokenization_spaces} applies as in
     * transformers 5.18, which ignores it for BPE models.
     */
    @Override
    public String decode(int[] ids) {
        String text = tokenizer.decode(Arrays.stream(ids).asLongStream().toArray(), true);
        return cleanUp ? cleanUpTokenization(text) : text;
    }

    /** transformers' {@code clean_up_tokenization}: no space before punctuation and English contractions. */
    static String cleanUpTokenization(String s) {
        return s.replace(" .", ".").replace(" ?", "?").replace(" !", "!").replace(" ,", ",").replace(" ' ", "'")
                .replace(" n't", "n't").replace(" 'm", "'m").replace(" 's", "'s").replace(" 've", "'ve")
                .replace(" 're", "'re");
    }

    @Override
    public int vocabSize() {
        return vocabulary.size();
    }

    @Override
    public int padId() {
        return pad;
    }

    @Override
    public int bosId() {
        return bos;
    }

    @Override
    public int eosId() {
        return eos;
    }

    /**
     * The ids that end generation: the eos id, then {@code eos_token_id} of {@code generation_config.json} (else
     * {@code config.json}), which may list several (Llama 3.x Instruct: end of text, end of message, end of turn).
     */
    public List<Integer> stopIds() {
        return stopIds;
    }

    @Override
    public List<String> vocabulary() {
        return vocabulary;
    }

    /** The folder's tokenizer settings, when read by {@link #fromFolder}. */
    public Optional<TokenizerConfig> config() {
        return Optional.ofNullable(config);
    }

    /** {@code model_max_length}, when the folder gives one. */
    public OptionalInt modelMaxLength() {
        return config == null ? OptionalInt.empty() : config.modelMaxLength();
    }

    /** The folder's default chat template, with its special tokens; empty when it has none. */
    public Optional<ChatTemplate> chatTemplate() {
        return config == null || !config.chatTemplates().containsKey(TokenizerConfig.DEFAULT_TEMPLATE)
                ? Optional.empty() : Optional.of(chatTemplate(TokenizerConfig.DEFAULT_TEMPLATE));
    }

    /**
     * The folder's chat template called {@code name} (e.g. {@code tool_use}).
     *
     * @throws IllegalArgumentException when the folder has no template of that name; the message lists those it has
     */
    public ChatTemplate chatTemplate(String name) {
        Map<String, String> templates = config == null ? Map.of() : config.chatTemplates();
        String source = templates.get(name);
        if (source == null) {
            throw new IllegalArgumentException((config == null ? "this tokenizer" : config.folder().toString())
                    + ": no chat template named \"" + name + "\" (it has " + templates.keySet() + ")");
        }
        return ChatTemplate.of(source, config.tokenTexts());
    }

    /** The {@code tokenizer.json} text this tokenizer was read from. */
    public String json() {
        return json;
    }

    @Override
    public void close() {
        tokenizer.close();
    }
}
