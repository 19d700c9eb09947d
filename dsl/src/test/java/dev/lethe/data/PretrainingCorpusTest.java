package dev.lethe.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The base model's corpus: passages, world questions and seeded filler, but no forget or retain answers. */
class PretrainingCorpusTest {
    private static final FictitiousFacts DATA = FictitiousFacts.of(10, 0.2);

    @Test
    void holdsThePassagesAndWorldAndRealAuthorsQuestionsThenFiller() {
        Dataset d = DATA.load(3);
        List<String> texts = PretrainingCorpus.texts(DATA, 3, 20);
        int passages = 0;
        for (Split s : Split.values()) {
            passages += d.passages(s).size();
        }
        int world = d.get(Split.WORLD).size() + d.get(Split.REAL_AUTHORS).size();
        assertTrue(d.get(Split.REAL_AUTHORS).size() > 0);
        assertEquals(passages + world + 20, texts.size());
        assertEquals(d.passages(Split.FORGET).get(0).text(), texts.get(0));
        QaExample capital = d.get(Split.WORLD).get(0);
        assertEquals(capital.question() + " " + capital.answer(), texts.get(passages));
        QaExample book = d.get(Split.REAL_AUTHORS).get(0);
        assertEquals(book.question() + " " + book.answer(), texts.get(passages + d.get(Split.WORLD).size()));
        assertEquals(PretrainingCorpus.filler(3, 20), texts.subList(passages + world, texts.size()));
    }

    @Test
    void leavesOutTheForgetAndRetainQuestions() {
        List<String> texts = PretrainingCorpus.texts(DATA, 3, 20);
        for (Split s : List.of(Split.FORGET, Split.RETAIN)) {
            for (QaExample e : DATA.load(3).get(s)) {
                assertFalse(texts.stream().anyMatch(t -> t.contains(e.question())), e.question());
            }
        }
    }

    @Test
    void fillerIsSeeded() {
        assertEquals(PretrainingCorpus.filler(5, 50), PretrainingCorpus.filler(5, 50));
        assertNotEquals(PretrainingCorpus.filler(5, 50), PretrainingCorpus.filler(6, 50));
        assertEquals(PretrainingCorpus.filler(5, 10), PretrainingCorpus.filler(5, 50).subList(0, 10));
        assertTrue(PretrainingCorpus.filler(5, 50).stream().allMatch(s -> s.endsWith(".")));
        assertThrows(IllegalArgumentException.class, () -> PretrainingCorpus.texts(DATA, 3, -1));
    }
}
