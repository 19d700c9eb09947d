package dev.lethe.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The byte-level BPE trainer: merges by hand, determinism, and a trained multilingual tokenizer whose pieces,
 * ids, decoded texts and chat template agree with Python's {@code tokenizers} and transformers
 * ({@code bench/python/bpe_reference.py}; skipped without the reference venv).
 */
class BpeTrainerTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** A small multilingual corpus, so that merges exist inside non-ASCII characters too. */
    private static final List<String> CORPUS = List.of(
            "The quick brown fox jumps over the lazy dog. The dog sleeps; the fox runs away.",
            "Machine unlearning removes the influence of training data from a model without retraining it.",
            "Café, naïve, façade: accents are common in French and German words like Zürich or Müller.",
            "机器学习中的遗忘是一个重要的研究方向。模型应该忘记被要求删除的数据。",
            "Машинное обучение — это интересно. Модель должна забыть данные.",
            "I ❤️ 🦙s! 🦙🦙 numbers 1815 1843 42, tabs\tand  spaces   here\n\nnew lines.");

    @Test
    void mergesTheMostFrequentPairWithTiesToTheSmallerIds() {
        // pieces "ab", " ab", " ab", " ac": (a,b) and (Ġ,a) both occur 3 times; Ġ (byte 32) has the smaller id
        BpeTrainer.Trained t = BpeTrainer.chatMl(1000).train(List.of("ab ab ab ac"));
        assertEquals(List.of("Ġ a", "Ġa b"), t.merges().stream().map(BpeTrainer.Merge::toString).toList(),
                "then (Ġa,b) twice; (a,b) and (Ġa,c) once each, below the minimum frequency 2");
        assertEquals(3 + 256 + 2, t.vocabulary().size());
        assertEquals(ChatMlTokenizer.TOKENS, t.vocabulary().subList(0, 3));
        assertEquals("a", t.vocabulary().get(3 + 'a'));
        assertEquals("Ġ", t.vocabulary().get(3 + ' '));
        assertEquals("Ġab", t.vocabulary().get(260));
    }

    @Test
    void stopsAtTheVocabularySize() {
        BpeTrainer.Trained t = BpeTrainer.chatMl(3 + 256 + 1).train(List.of("ab ab ab ac"));
        assertEquals(1, t.merges().size());
        assertEquals(260, t.vocabulary().size());
    }

    @Test
    void aMergeSpellingAnExistingTokenReusesIt() {
        // "abc" is first made as ab + c; later the pieces "xbc" give (b,c) → "bc"; no token repeats
        BpeTrainer.Trained t = new BpeTrainer(400, List.of(), 1).train(List.of("abc abc abc bcd bcd", "abc"));
        assertEquals(t.vocabulary().size(), new java.util.HashSet<>(t.vocabulary()).size());
    }

    @Test
    void trainingIsDeterministicAndIndependentOfTextOrder() {
        String once = BpeTrainer.chatMl(400).train(CORPUS).tokenizerJson();
        assertEquals(once, BpeTrainer.chatMl(400).train(CORPUS).tokenizerJson());
        List<String> reversed = new ArrayList<>(CORPUS);
        Collections.reverse(reversed);
        assertEquals(once, BpeTrainer.chatMl(400).train(reversed).tokenizerJson());
        assertNotEquals(once, BpeTrainer.chatMl(300).train(CORPUS).tokenizerJson(), "fewer merges");
    }

    @Test
    void piecesFollowGpt2sPattern() {
        assertEquals(List.of("Hello", ",", " world", "'s", "  ", " 42", "!!", "\n\n"),
                BpeTrainer.pieces("Hello, world's   42!!\n\n"));
        assertEquals("ĠcafÃ©", BpeTrainer.byteLevel(" café"), "space → Ġ, é's two UTF-8 bytes → Ã ©");
    }

    @Test
    void rejectsImpossibleSettings() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> BpeTrainer.chatMl(258)).getMessage()
                .contains("at least 256 bytes + 3 special tokens = 259"));
        assertThrows(IllegalArgumentException.class, () -> new BpeTrainer(300, List.of("<a>", "<a>"), 2));
        assertThrows(IllegalArgumentException.class, () -> new BpeTrainer(300, List.of(), 0));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ChatMlTokenizer.write(Path.of("x"),
                new BpeTrainer(300, List.of("<s>"), 2).train(CORPUS), 64)).getMessage().contains("BpeTrainer.chatMl"));
    }

    @Test
    void aTrainedTokenizerAgreesWithTokenizersAndTransformers(@TempDir Path folder) throws Exception {
        BpeTrainer.Trained trained = BpeTrainer.chatMl(600).train(CORPUS);
        ChatMlTokenizer.write(folder, trained, 128);
        JsonNode ref = JSON.readTree(ReferencePython.run("bpe_reference.py", 300, folder.toString()));
        try (HfTokenizer t = HfTokenizer.fromFolder(folder)) {
            assertEquals(trained.vocabulary().size(), t.vocabSize());
            assertEquals(ref.get("vocab_size").asInt(), t.vocabSize());
            JsonNode texts = ref.get("texts");
            for (int i = 0; i < texts.size(); i++) {
                String text = texts.get(i).asText();
                String what = "text " + i + " " + JSON.valueToTree(text);
                assertEquals(strings(ref.get("pieces").get(i)),
                        BpeTrainer.pieces(text).stream().map(BpeTrainer::byteLevel).toList(), what + ": pieces");
                int[] ids = t.encode(text);
                assertArrayEquals(ints(ref.get("library").get(i)), ids, what + ": tokenizers library");
                assertArrayEquals(ints(ref.get("transformers").get(i)), ids, what + ": transformers");
                assertEquals(ref.get("decoded").get(i).asText(), t.decode(ids), what + ": decoded");
            }
            assertEquals(0, ref.get("ids").get("eos_token").asInt());
            assertEquals(List.of(0, 0, 0), List.of(t.bosId(), t.eosId(), t.padId()));
            assertEquals(List.of(0, 2), t.stopIds());
            List<ChatMessage> chat = List.of(ChatMessage.system("You answer briefly."),
                    ChatMessage.user("Where was Kalo Renmi born?"), ChatMessage.assistant("In Torvel, naïve 🦙."));
            ChatTemplate template = t.chatTemplate().orElseThrow();
            assertEquals(ref.get("chat").asText(), template.render(chat, false));
            assertEquals(ref.get("chat_prompt").asText(), template.render(chat.subList(0, 2), true));
        }
    }

    private static List<String> strings(JsonNode list) {
        List<String> out = new ArrayList<>();
        list.forEach(n -> out.add(n.asText()));
        return out;
    }

    private static int[] ints(JsonNode list) {
        int[] out = new int[list.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = list.get(i).asInt();
        }
        return out;
    }
}
