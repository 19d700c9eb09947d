package dev.lethe.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A model folder's tokenizer files: which special token wins (tokenizer_config.json, special_tokens_map.json,
 * generation_config.json, config.json), the pad fallback, the chat-template sources and the errors, on a
 * hand-written word-level tokenizer.json (ids: <unk> 0, <s> 1, </s> 2, <pad> 3, hello 4, world 5, "." 6).
 */
class HfTokenizerFolderTest {
    private static final String TOKENIZER = """
            {"version": "1.0", "truncation": null, "padding": null,
             "added_tokens": [
              {"id": 0, "content": "<unk>", "single_word": false, "lstrip": false, "rstrip": false, "normalized": false, "special": true},
              {"id": 1, "content": "<s>", "single_word": false, "lstrip": false, "rstrip": false, "normalized": false, "special": true},
              {"id": 2, "content": "</s>", "single_word": false, "lstrip": false, "rstrip": false, "normalized": false, "special": true},
              {"id": 3, "content": "<pad>", "single_word": false, "lstrip": false, "rstrip": false, "normalized": false, "special": true}],
             "normalizer": null, "pre_tokenizer": {"type": "Whitespace"},
             "post_processor": {"type": "TemplateProcessing",
              "single": [{"SpecialToken": {"id": "<s>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}],
              "pair": [{"Sequence": {"id": "A", "type_id": 0}}, {"Sequence": {"id": "B", "type_id": 1}}],
              "special_tokens": {"<s>": {"id": "<s>", "ids": [1], "tokens": ["<s>"]}}},
             "decoder": null,
             "model": {"type": "WordLevel", "vocab": {"<unk>": 0, "<s>": 1, "</s>": 2, "<pad>": 3, "hello": 4,
              "world": 5, ".": 6}, "unk_token": "<unk>"}}
            """;

    @TempDir
    Path root;
    private int folders;

    /** A new folder with {@code tokenizer.json} and {@code files} (name to text), read. */
    private HfTokenizer folder(Map<String, String> files) throws IOException {
        Path dir = Files.createDirectories(root.resolve("model-" + folders++));
        Files.writeString(dir.resolve(HfTokenizer.FILE), TOKENIZER);
        for (var f : files.entrySet()) {
            Files.createDirectories(dir.resolve(f.getKey()).getParent());
            Files.writeString(dir.resolve(f.getKey()), f.getValue());
        }
        return HfTokenizer.fromFolder(dir);
    }

    @Test
    void aFoldersFormatterWritesTheSameDateOnEveryDay() throws IOException {
        try (HfTokenizer t = folder(Map.of("tokenizer_config.json", "{\"eos_token\": \"</s>\"}", "chat_template.jinja",
                "Today: {{ strftime_now('%d %b %Y') }}. {% for m in messages %}{{ m['content'] }}{% endfor %}"))) {
            assertEquals("Today: 26 Jul 2024. Who?", QaFormatter.of(t).prompt("Who?"));
        }
    }

    private String error(Map<String, String> files) {
        return assertThrows(IllegalArgumentException.class, () -> folder(files).close()).getMessage();
    }



    @Test
    void encodeAddsNoSpecialTokensButReadsTheirTextAndEncodeWithSpecialTokensFollowsThePostProcessor()
            throws IOException {
        try (HfTokenizer t = folder(Map.of("tokenizer_config.json", "{\"eos_token\": \"</s>\"}"))) {
            assertArrayEquals(new int[] {4, 5, 6}, t.encode("hello world."));
            assertArrayEquals(new int[] {1, 4, 5, 6}, t.encodeWithSpecialTokens("hello world."));
            assertArrayEquals(new int[] {1, 4, 2}, t.encode("<s>hello</s>"));
            assertEquals("hello world .", t.decode(new int[] {1, 4, 5, 6, 2}), "special tokens skipped");
        }
    }

    @Test
    void cleanUpTokenizationSpacesAppliesToNonBpeModelsAsInTransformers() throws IOException {
        try (HfTokenizer t = folder(Map.of("tokenizer_config.json",
                "{\"eos_token\": \"</s>\", \"clean_up_tokenization_spaces\": true}"))) {
            assertEquals("hello world.", t.decode(new int[] {4, 5, 6}));
        }
        assertEquals("it's a dog, isn't it? yes! ok.", HfTokenizer.cleanUpTokenization("it 's a dog , is n't it ? yes ! ok ."));
    }

    @Test
    void tokenizerConfigTokensMayBeStringsOrAddedTokenObjects() throws IOException {
        try (HfTokenizer t = folder(Map.of("tokenizer_config.json", "{\"bos_token\": {\"__type\": \"AddedToken\", "
                + "\"content\": \"<s>\", \"lstrip\": false}, \"eos_token\": \"</s>\", \"pad_token\": \"<pad>\", "
                + "\"unk_token\": \"<unk>\", \"model_max_length\": 2048}"))) {
            assertEquals(List.of(1, 2, 3), List.of(t.bosId(), t.eosId(), t.padId()));
            assertEquals(2048, t.modelMaxLength().getAsInt());
            assertEquals(List.of(2), t.stopIds());
        }
    }

    @Test
    void specialTokensMapWinsOnlyWithoutAddedTokensDecoder() throws IOException {
        String map = "{\"eos_token\": {\"content\": \"<pad>\"}, \"pad_token\": null}";
        try (HfTokenizer legacy = folder(Map.of("tokenizer_config.json", "{\"eos_token\": \"</s>\", \"pad_token\": "
                + "\"<unk>\"}", "special_tokens_map.json", map))) {
            assertEquals(3, legacy.eosId(), "legacy layout: special_tokens_map.json replaces tokenizer_config.json");
            assertEquals(3, legacy.padId(), "its null pad_token removes the pad, so pad falls back to eos");
        }
        try (HfTokenizer current = folder(Map.of("tokenizer_config.json", "{\"added_tokens_decoder\": {}, "
                + "\"eos_token\": \"</s>\", \"pad_token\": \"<unk>\"}", "special_tokens_map.json", map))) {
            assertEquals(2, current.eosId(), "with added_tokens_decoder, special_tokens_map.json is ignored");
            assertEquals(0, current.padId());
        }
    }

    @Test
    void configIdsFillInWhatTheTokenizerFilesDoNotNameGenerationConfigFirst() throws IOException {
        try (HfTokenizer t = folder(Map.of("config.json", "{\"bos_token_id\": 1, \"eos_token_id\": [2, 6], "
                + "\"pad_token_id\": null}", "generation_config.json", "{\"eos_token_id\": [6, 2]}"))) {
            assertEquals(1, t.bosId());
            assertEquals(6, t.eosId(), "generation_config.json's first eos id");
            assertEquals(List.of(6, 2), t.stopIds());
            assertEquals(6, t.padId(), "no pad anywhere: the eos id");
            assertTrue(t.chatTemplate().isEmpty());
            assertFalse(QaFormatter.of(t).usesChatTemplate());
        }
        try (HfTokenizer t = folder(Map.of("tokenizer_config.json", "{\"eos_token\": \"</s>\"}", "config.json",
                "{\"eos_token_id\": 6, \"pad_token_id\": 3}"))) {
            assertEquals(2, t.eosId(), "the tokenizer's eos wins over config.json's");
            assertEquals(List.of(2, 6), t.stopIds(), "config.json's eos still stops generation");
            assertEquals(3, t.padId());
            assertEquals(2, t.bosId(), "no bos anywhere: the eos id");
        }
    }

    @Test
    void chatTemplateFilesWinOverTokenizerConfigAndNamedTemplatesAreFound() throws IOException {
        String config = "{\"eos_token\": \"</s>\", \"bos_token\": \"<s>\", \"chat_template\": [{\"name\": \"default\", "
                + "\"template\": \"config:{{ messages[0].content }}\"}, {\"name\": \"tool_use\", \"template\": \"tools\"}]}";
        List<ChatMessage> hi = List.of(ChatMessage.user("hi"));
        try (HfTokenizer t = folder(Map.of("tokenizer_config.json", config))) {
            assertEquals("config:hi", t.chatTemplate().orElseThrow().render(hi, false));
            assertEquals("tools", t.chatTemplate("tool_use").render(hi, false));
            assertTrue(QaFormatter.of(t).usesChatTemplate());
        }
        try (HfTokenizer t = folder(Map.of("tokenizer_config.json", config, "chat_template.jinja",
                "{{ bos_token }}file:{{ messages[0].content }}{{ eos_token }}\n",
                "additional_chat_templates/rag.jinja", "rag"))) {
            assertEquals("<s>file:hi</s>", t.chatTemplate().orElseThrow().render(hi, false));
            assertEquals("rag", t.chatTemplate("rag").render(hi, false));
            String e = assertThrows(IllegalArgumentException.class, () -> t.chatTemplate("tool_use")).getMessage();
            assertTrue(e.endsWith("no chat template named \"tool_use\" (it has [default, rag])"), e);
        }
    }

    @Test
    void errorsNameTheFileAndTheField() {
        assertTrue(error(Map.of("tokenizer_config.json", "{\"eos_token\": 5}")).endsWith("tokenizer_config.json: field "
                + "eos_token must be a string, an AddedToken object {\"content\": \"...\"} or null, not 5"));
        assertTrue(error(Map.of("tokenizer_config.json", "{\"eos_token\": \"<eos>\"}")).endsWith("tokenizer_config.json: "
                + "field eos_token names \"<eos>\", which is not a token of tokenizer.json"));
        assertTrue(error(Map.of("special_tokens_map.json", "{\"eos_token\": \"<|im_end|>\"}")).endsWith(
                "special_tokens_map.json: field eos_token names \"<|im_end|>\", which is not a token of tokenizer.json"));
        String none = error(Map.of());
        assertTrue(none.contains("no eos token"), none);
        assertTrue(error(Map.of("config.json", "{\"eos_token_id\": 99}")).endsWith("config.json: field eos_token_id "
                + "holds id 99, outside the vocabulary of 7 tokens of tokenizer.json"));
        assertTrue(error(Map.of("generation_config.json", "{\"eos_token_id\": [2, \"x\"]}")).endsWith(
                "generation_config.json: field eos_token_id must hold integer ids, not \"x\""));
        assertTrue(error(Map.of("tokenizer_config.json", "{\"eos_token\": \"</s>\",\n\"add_bos_token\": \"yes\"}"))
                .endsWith("tokenizer_config.json: field add_bos_token must be true or false, not \"yes\""));
        assertTrue(error(Map.of("tokenizer_config.json", "{\"eos_token\": \"</s>\", \"chat_template\": 3}"))
                .endsWith("tokenizer_config.json: field chat_template must be a string or a list of {\"name\", "
                        + "\"template\"} objects, not NUMBER"));
        assertTrue(error(Map.of("tokenizer_config.json", "{\"eos_token\": \"</s>\",\n  oops}")).contains(
                "tokenizer_config.json: not valid JSON (line 2)"));
    }

    @Test
    void anUnboundedModelMaxLengthIsAbsent() throws IOException {
        try (HfTokenizer t = folder(Map.of("tokenizer_config.json", "{\"eos_token\": \"</s>\", \"model_max_length\": "
                + "1000000000000000019884624838656}"))) {
            assertTrue(t.modelMaxLength().isEmpty());
        }
    }
}
