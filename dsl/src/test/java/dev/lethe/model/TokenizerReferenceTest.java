package dev.lethe.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Two tiny tokenizers trained by the Python {@code tokenizers} library ({@code bench/python/tokenizer_reference.py}:
 * a byte-level BPE as GPT-2 / Llama 3 / Qwen, a SentencePiece-style BPE with Metaspace and byte fallback as
 * Llama 2 / Mistral), read as model folders, give the ids of the {@code tokenizers} library and of transformers for a
 * multilingual, emoji and whitespace text set, with and without special tokens, the same decoded text and the same
 * special tokens; also when tokenizer_config.json names transformers' GPT2Tokenizer or LlamaTokenizer class, which
 * rebuild parts of the pipeline in transformers 5 (Lethe follows tokenizer.json). Skipped without the reference
 * venv ({@link ReferencePython}).
 */
class TokenizerReferenceTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    @TempDir
    static Path dir;
    private static JsonNode reference;

    @BeforeAll
    static void train() throws Exception {
        reference = JSON.readTree(ReferencePython.run("tokenizer_reference.py", 300, dir.toString()));
    }

    @ParameterizedTest
    @ValueSource(strings = {"byte-level", "sentencepiece", "byte-level-gpt2", "sentencepiece-llama"})
    void idsAndTextsAreThoseOfTokenizersAndTransformers(String kind) {
        JsonNode expected = reference.get(kind);
        JsonNode texts = reference.get("texts");
        try (HfTokenizer t = HfTokenizer.fromFolder(dir.resolve(kind))) {
            for (int i = 0; i < texts.size(); i++) {
                String text = texts.get(i).asText();
                String what = kind + " text " + i + " " + JSON.valueToTree(text);
                int[] plain = t.encode(text);
                assertArrayEquals(ints(expected.get("library").get(i)), plain, what + ": tokenizers library");
                assertArrayEquals(ints(expected.get("plain").get(i)), plain, what + ": transformers");
                assertArrayEquals(ints(expected.get("special").get(i)), t.encodeWithSpecialTokens(text),
                        what + ": transformers add_special_tokens=True");
                assertEquals(expected.get("decoded").get(i).asText(), t.decode(plain), what + ": decoded");
                assertEquals(expected.get("decoded_special").get(i).asText(),
                        t.decode(t.encodeWithSpecialTokens(text)), what + ": decoded with special tokens");
            }
            assertEquals(expected.get("vocab_size").asInt(), t.vocabSize());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"byte-level", "sentencepiece", "byte-level-gpt2", "sentencepiece-llama"})
    void specialTokensAreThoseTransformersResolves(String kind) {
        JsonNode ids = reference.get(kind).get("ids");
        try (HfTokenizer t = HfTokenizer.fromFolder(dir.resolve(kind))) {
            assertEquals(ids.get("bos_token").asInt(), t.bosId());
            assertEquals(ids.get("eos_token").asInt(), t.eosId());
            int pad = ids.get("pad_token").isNull() ? ids.get("eos_token").asInt() : ids.get("pad_token").asInt();
            assertEquals(pad, t.padId(), "pad, or eos where the folder has none");
            JsonNode max = reference.get(kind).get("model_max_length");
            assertEquals(max.canConvertToInt() ? List.of(max.asInt()) : List.of(),
                    t.modelMaxLength().stream().boxed().toList());
            assertTrue(t.stopIds().contains(t.eosId()));
        }
    }

    private static int[] ints(JsonNode list) {
        int[] out = new int[list.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = list.get(i).asInt();
        }
        return out;
    }
}
