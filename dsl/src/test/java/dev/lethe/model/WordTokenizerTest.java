package dev.lethe.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.lethe.data.FictitiousFacts;
import dev.lethe.data.QaExample;
import dev.lethe.data.Split;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WordTokenizerTest {

    @Test
    void everyTextOfTheBenchmarkRoundTrips() {
        var data = FictitiousFacts.of(30, 0.1).load(1);
        WordTokenizer t = data.fitTokenizer();
        int checked = 0;
        for (Split s : Split.values()) {
            for (QaExample e : data.get(s)) {
                for (String text : e.texts()) {
                    assertEquals(text, t.decode(t.encode(text)));
                    checked++;
                }
            }
        }
        assertEquals(true, checked > 500, "checked " + checked + " texts");
    }

    @Test
    void splitsWordsPossessivesAndPunctuation() {
        assertEquals(List.of("Who", "employs", "Ka", "Lo", "'s", "lighthouse-keeper", "?"),
                WordTokenizer.split("Who employs Ka Lo's lighthouse-keeper?"));
        WordTokenizer t = WordTokenizer.fit(List.of("Who employs Ka Lo's lighthouse-keeper?", "(It is, 1967.)"));
        for (String s : List.of("Who employs Ka Lo's lighthouse-keeper?", "(It is, 1967.)")) {
            assertEquals(s, t.decode(t.encode(s)));
        }
    }

    @Test
    void specialTokensComeFirstAndUnknownWordsMapToUnk() {
        WordTokenizer t = WordTokenizer.fit(List.of("b a"));
        assertEquals(List.of("<pad>", "<unk>", "<bos>", "<eos>", "a", "b"), t.vocabulary());
        assertEquals(0, t.padId());
        assertEquals(2, t.bosId());
        assertEquals(3, t.eosId());
        assertEquals(List.of(4, 1), java.util.Arrays.stream(t.encode("a zzz")).boxed().toList());
        assertEquals("a b", t.decode(new int[] {2, 4, 5, 3, 0}));
    }

    @Test
    void savesAndLoadsTheSameVocabulary(@TempDir Path dir) throws Exception {
        WordTokenizer t = WordTokenizer.fit(List.of("In what year was Alba Kerrin born?", "1967"));
        Path f = dir.resolve("tokenizer.json");
        t.save(f);
        assertEquals(t, WordTokenizer.load(f));
        Files.writeString(f, "{\"type\": \"bpe\"}");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> WordTokenizer.load(f));
        assertEquals(true, e.getMessage().startsWith(f.toString()), e.getMessage());
    }
}
