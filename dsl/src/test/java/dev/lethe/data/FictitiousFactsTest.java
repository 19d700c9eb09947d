package dev.lethe.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FictitiousFactsTest {

    @Test
    void sameSeedGivesIdenticalJsonlBytes(@TempDir Path dir) throws Exception {
        FictitiousFacts spec = FictitiousFacts.of(40, 0.1);
        spec.load(9).writeTo(dir.resolve("a"));
        spec.load(9).writeTo(dir.resolve("b"));
        spec.load(10).writeTo(dir.resolve("c"));
        for (Split s : Split.values()) {
            String f = s.id() + ".jsonl";
            assertArrayEquals(Files.readAllBytes(dir.resolve("a").resolve(f)), Files.readAllBytes(dir.resolve("b").resolve(f)));
        }
        assertFalse(java.util.Arrays.equals(Files.readAllBytes(dir.resolve("a/forget.jsonl")),
                Files.readAllBytes(dir.resolve("c/forget.jsonl"))), "another seed gives other people");
    }

    @Test
    void splitsAreDisjointByPersonAndSizedAsAsked() {
        for (double fraction : new double[] {0.01, 0.05, 0.1}) {
            FictitiousFacts spec = FictitiousFacts.of(100, fraction);
            Dataset d = spec.load(3);
            Set<String> forget = subjects(d, Split.FORGET);
            Set<String> retain = subjects(d, Split.RETAIN);
            Set<String> holdout = subjects(d, Split.HOLDOUT);
            assertEquals(Math.max(1, Math.round(100 * fraction)), forget.size(), "forget people at " + fraction);
            assertEquals(100 - forget.size(), retain.size());
            assertEquals(spec.holdoutPeople(), holdout.size());
            Set<String> all = new HashSet<>(forget);
            all.addAll(retain);
            all.addAll(holdout);
            assertEquals(forget.size() + retain.size() + holdout.size(), all.size(), "a person is in two splits");
            Set<String> lastNames = all.stream().map(n -> n.split(" ")[1]).collect(Collectors.toSet());
            assertEquals(all.size(), lastNames.size(), "last names are unique");
            assertEquals(6 * forget.size(), d.get(Split.FORGET).size());
        }
    }

    @Test
    void examplesHaveAParaphraseAndThreeDistinctWrongAnswers() {
        Dataset d = FictitiousFacts.of(20, 0.1).load(5);
        for (Split s : Split.values()) {
            for (QaExample e : d.get(s)) {
                assertNotEquals(e.question(), e.paraphrasedQuestion());
                assertTrue(e.paraphrasedAnswer().endsWith(e.answer()), e.paraphrasedAnswer());
                assertEquals(3, new HashSet<>(e.perturbedAnswers()).size());
                assertFalse(e.perturbedAnswers().contains(e.paraphrasedAnswer()));
            }
        }
        assertEquals(45, d.get(Split.WORLD).size());
    }

    @Test
    void jsonlRoundTripsAndBadLinesNameFileLineAndField(@TempDir Path dir) throws Exception {
        Dataset d = FictitiousFacts.of(20, 0.1).load(5);
        d.writeTo(dir);
        assertEquals(d, Dataset.readFrom(dir));
        Path bad = dir.resolve("bad.jsonl");
        Files.writeString(bad, "{\"question\": \"q\", \"answer\": \"a\"}\n{\"question\": \"q\"}\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Jsonl.read(bad));
        assertTrue(e.getMessage().startsWith(bad + ":2:") && e.getMessage().contains("'answer'"), e.getMessage());
        Files.writeString(bad, "{\"question\": 3, \"answer\": \"a\"}\n");
        e = assertThrows(IllegalArgumentException.class, () -> Jsonl.read(bad));
        assertTrue(e.getMessage().contains(":1:") && e.getMessage().contains("'question' must be a string"), e.getMessage());
    }

    private static Set<String> subjects(Dataset d, Split s) {
        return d.get(s).stream().map(QaExample::subject).collect(Collectors.toSet());
    }
}
