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
import java.util.List;
import java.util.Map;

/**
 * A Hugging Face {@code tokenizer.json} (BPE, WordPiece, WordLevel, ...) read through DJL's binding of the
 * Rust {@code tokenizers} library, seen as a Lethe {@link Tokenizer}. Special-token ids come from the model's
 * {@code config.json} ({@code bos_token_id}, {@code eos_token_id}, {@code pad_token_id}; GPT-2 uses
 * {@code <|endoftext|>} for all three). Holds a native handle: close it when done.
 */
public final class HfTokenizer implements Tokenizer, AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HuggingFaceTokenizer tokenizer;
    private final String json;
    private final List<String> vocabulary;
    private final int bos;
    private final int eos;
    private final int pad;

    private HfTokenizer(HuggingFaceTokenizer tokenizer, String json, List<String> vocabulary, int bos, int eos,
            int pad) {
        this.tokenizer = tokenizer;
        this.json = json;
        this.vocabulary = vocabulary;
        this.bos = bos;
        this.eos = eos;
        this.pad = pad;
    }

    /**
     * Reads {@code file} ({@code tokenizer.json}) with the given special-token ids.
     *
     * @throws IllegalArgumentException when the file is not a tokenizer the library can read, or an id is
     *     outside its vocabulary
     */
    public static HfTokenizer load(Path file, int bos, int eos, int pad) {
        String text;
        try {
            text = Files.readString(ConfinedPaths.regularFile(file, "tokenizer file"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        List<String> vocabulary = vocabulary(file, text);
        for (int id : new int[] {bos, eos, pad}) {
            if (id < 0 || id >= vocabulary.size()) {
                throw new IllegalArgumentException(file + ": special token id " + id + " is outside the vocabulary of "
                        + vocabulary.size() + " tokens");
            }
        }
        HuggingFaceTokenizer hf;
        try {
            hf = HuggingFaceTokenizer.newInstance(file, Map.of("addSpecialTokens", "false"));
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException(file + ": not a tokenizer the tokenizers library can read: "
                    + e.getMessage(), e);
        }
        return new HfTokenizer(hf, text, vocabulary, bos, eos, pad);
    }

    /** The vocabulary of {@code model.vocab} plus {@code added_tokens}, indexed by id. */
    private static List<String> vocabulary(Path file, String text) {
        JsonNode root;
        try {
            root = JSON.readTree(text);
        } catch (IOException e) {
            throw new IllegalArgumentException(file + ": not JSON: " + e.getMessage(), e);
        }
        JsonNode vocab = root == null ? null : root.path("model").get("vocab");
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

    @Override
    public int[] encode(String text) {
        Encoding e = tokenizer.encode(text, false, false);
        return Arrays.stream(e.getIds()).mapToInt(Math::toIntExact).toArray();
    }

    @Override
    public String decode(int[] ids) {
        return tokenizer.decode(Arrays.stream(ids).asLongStream().toArray(), true);
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

    @Override
    public List<String> vocabulary() {
        return vocabulary;
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
