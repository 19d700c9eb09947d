package dev.lethe.eval.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Hand-worked ROUGE-L examples; tokenisation as rouge_score's {@code tokenize.tokenize(text, None)}. */
class RougeLTest {

    @Test
    void tokensAreLowerCasedAsciiAlphanumericRuns() {
        // rouge_score: lower(), re.sub(r"[^a-z0-9]+", " ", ·), split; é is not in [a-z0-9]
        assertEquals(List.of("jean", "luc", "s", "2nd", "caf"), RougeL.tokens("Jean-Luc's 2nd café!"));
        assertEquals(List.of(), RougeL.tokens("  ?! "));
    }

    @Test
    void equalLengthSentencesSharingFourTokens() {
        // reference [the cat sat on the mat], prediction [the cat is on a mat]: LCS = the cat on mat = 4
        RougeScore s = RougeL.score("The cat sat on the mat.", "the cat is on a mat");
        assertEquals(4.0 / 6, s.recall(), 1e-12);
        assertEquals(4.0 / 6, s.precision(), 1e-12);
        assertEquals(4.0 / 6, s.f1(), 1e-12);
    }

    @Test
    void unequalLengthsSeparateRecallPrecisionAndF1() {
        // reference [a b c d e], prediction [b d f]: LCS = b d = 2; R = 2/5, P = 2/3, F1 = (8/15)/(16/15) = 1/2
        RougeScore s = RougeL.score("A B C D E", "b, d; f");
        assertEquals(0.4, s.recall(), 1e-12);
        assertEquals(2.0 / 3, s.precision(), 1e-12);
        assertEquals(0.5, s.f1(), 1e-12);
        assertEquals(0.4, RougeL.recall("A B C D E", "b, d; f"), 1e-12);
        assertEquals(0.5, RougeL.f1("A B C D E", "b, d; f"), 1e-12);
    }

    @Test
    void orderMattersForTheSubsequence() {
        // [a b c] vs [c b a]: every common subsequence has length 1
        assertEquals(1.0 / 3, RougeL.recall("a b c", "c b a"), 1e-12);
        assertEquals(2, RougeL.lcsLength(List.of("x", "a", "y", "b"), List.of("a", "b", "x")));
    }

    @Test
    void emptySideScoresZero() {
        assertEquals(new RougeScore(0, 0, 0), RougeL.score("", "some words"));
        assertEquals(new RougeScore(0, 0, 0), RougeL.score("some words", "!!!"));
        assertEquals(new RougeScore(0, 0, 0), RougeL.score("a b", "c d"));
    }

    @Test
    void verbMemStyleContinuationF1() {
        // truth [1932 and lives in torvel], continuation [1932 and lives in sadri works]: LCS = 4;
        // R = 4/5, P = 4/6, F1 = 2·(4/5)(2/3) / (4/5 + 2/3) = (16/15) / (22/15) = 8/11
        RougeScore s = RougeL.score("1932 and lives in Torvel.", "1932 and lives in Sadri Works.");
        assertEquals(0.8, s.recall(), 1e-12);
        assertEquals(2.0 / 3, s.precision(), 1e-12);
        assertEquals(8.0 / 11, s.f1(), 1e-12);
    }

    @Test
    void stemmingMatchesInflectionsTheUnstemmedScoreMisses() {
        // reference [the, cats, were, running] vs [the, cat, was, run]: only "the" in common, recall 1/4;
        // stemmed, cats -> cat and running -> run (3-letter tokens are kept as they are): [the, cat, were, run]
        // vs [the, cat, was, run], LCS 3, so P = R = F = 3/4
        assertEquals(0.25, RougeL.recall("The cats were running.", "the cat was run"), 1e-12);
        RougeScore s = RougeL.score("The cats were running.", "the cat was run", RougeL.Stemming.PORTER);
        assertEquals(0.75, s.recall(), 1e-12);
        assertEquals(0.75, s.precision(), 1e-12);
        assertEquals(0.75, s.f1(), 1e-12);
        // relational -> relate -> relat and relate -> relat; databases, database -> databas: nothing in common
        // unstemmed, everything stemmed; a prediction of 3 tokens against 2 gives P = 2/3, F = 2·(2/3)/(5/3) = 0.8
        assertEquals(0, RougeL.f1("relational databases", "a relate database"), 1e-12);
        RougeScore r = RougeL.score("relational databases", "a relate database", RougeL.Stemming.PORTER);
        assertEquals(1.0, r.recall(), 1e-12);
        assertEquals(2.0 / 3, r.precision(), 1e-12);
        assertEquals(0.8, r.f1(), 1e-12);
        assertEquals(List.of("the", "runner", "were", "run", "quickli"),
                RougeL.tokens("The runners were running quickly", RougeL.Stemming.PORTER));
        assertEquals(RougeL.tokens("The runners", RougeL.Stemming.NONE), RougeL.tokens("The runners"));
    }
}
