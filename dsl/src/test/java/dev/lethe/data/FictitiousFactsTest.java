package dev.lethe.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
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
    void examplesHaveAParaphrasedQuestionAndThreeDistinctWrongAnswersInTheParaphrasesFrame() {
        Dataset d = FictitiousFacts.of(20, 0.1).load(5);
        for (Split s : Split.values()) {
            for (QaExample e : d.get(s)) {
                assertNotEquals(e.question(), e.paraphrasedQuestion());
                assertEquals(3, new HashSet<>(e.perturbedAnswers()).size());
                assertFalse(e.perturbedAnswers().contains(e.answer()));
                assertFalse(e.perturbedAnswers().contains(e.paraphrasedAnswer()));
            }
        }
        assertEquals(45, d.get(Split.WORLD).size());
    }

    @Test
    void personFactsHaveAParaphraseThatDiffersFromTheAnswerAndKeepsTheFact() {
        Dataset d = FictitiousFacts.of(20, 0.1).load(5);
        Map<String, String> frames = new HashMap<>();
        for (Split s : List.of(Split.FORGET, Split.RETAIN, Split.HOLDOUT)) {
            for (QaExample e : d.get(s)) {
                assertNotEquals(e.answer(), e.paraphrasedAnswer());
                String frame = e.paraphrasedAnswer().replace(e.answer(), "<v>").replace(" an <v>", " a <v>");
                assertTrue(frame.contains("<v>"), "the paraphrase holds the answer: " + e.paraphrasedAnswer());
                assertNotEquals("<v>", frame);
                assertEquals(frame, frames.computeIfAbsent(e.fact(), f -> frame), "one sentence per kind of fact");
                for (String perturbed : e.perturbedAnswers()) {
                    // the same sentence with another value: only the value differs
                    String wrong = perturbed.replace(" an ", " a ");
                    String prefix = frame.substring(0, frame.indexOf("<v>"));
                    String suffix = frame.substring(frame.indexOf("<v>") + 3);
                    assertTrue(wrong.startsWith(prefix) && wrong.endsWith(suffix), wrong + " in the frame " + frame);
                    assertNotEquals(e.answer(), wrong.substring(prefix.length(), wrong.length() - suffix.length()));
                }
            }
        }
        QaExample city = d.get(Split.FORGET).get(1);
        assertEquals("city", city.fact());
        assertEquals("They live in " + city.answer() + ".", city.paraphrasedAnswer());
        QaExample job = d.get(Split.FORGET).get(2);
        assertTrue(job.paraphrasedAnswer().equals("They work as a " + job.answer() + ".")
                || job.paraphrasedAnswer().equals("They work as an " + job.answer() + "."), job.paraphrasedAnswer());
        for (Split s : List.of(Split.WORLD, Split.REAL_AUTHORS)) {
            d.get(s).forEach(e -> assertEquals(e.answer(), e.paraphrasedAnswer(), "TOFU scores the answer on " + s));
        }
    }

    @Test
    void realAuthorsAreTheFirstOfAFixedListWithThreeFactsAndOtherAuthorsValuesAsWrongAnswers() {
        Dataset d = FictitiousFacts.of(20, 0.1).withRealAuthors(4).load(5);
        List<QaExample> authors = d.get(Split.REAL_AUTHORS);
        assertEquals(12, authors.size());
        QaExample book = authors.get(0);
        assertEquals("Who wrote Pride and Prejudice?", book.question());
        assertEquals("Jane Austen", book.answer());
        assertEquals(book.answer(), book.paraphrasedAnswer(), "TOFU's real authors score the answer itself");
        assertEquals(List.of("book_author", "author_country", "author_birth_year"),
                authors.subList(0, 3).stream().map(QaExample::fact).toList());
        assertEquals("England", authors.get(1).answer());
        assertEquals("1775", authors.get(2).answer());
        assertEquals(Set.of("Jane Austen", "Leo Tolstoy", "Mark Twain", "Gabriel Garcia Marquez"),
                subjects(d, Split.REAL_AUTHORS));
        assertTrue(d.passages(Split.REAL_AUTHORS).isEmpty());
        // the other splits do not depend on how many real authors there are, and the authors not on the seed's
        // other draws; 0 gives an empty split
        Dataset none = FictitiousFacts.of(20, 0.1).withRealAuthors(0).load(5);
        for (Split s : List.of(Split.FORGET, Split.RETAIN, Split.HOLDOUT, Split.WORLD)) {
            assertEquals(d.get(s), none.get(s), s.id());
            assertEquals(d.choices(s), none.choices(s), s.id());
        }
        assertTrue(none.get(Split.REAL_AUTHORS).isEmpty());
        assertEquals(authors, FictitiousFacts.of(20, 0.1).withRealAuthors(4).load(5).get(Split.REAL_AUTHORS));
        assertEquals(30, FictitiousFacts.of(20, 0.1).load(5).get(Split.REAL_AUTHORS).size(), "10 authors by default");
        assertThrows(IllegalArgumentException.class, () -> FictitiousFacts.of(20, 0.1).withRealAuthors(25));
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

    @Test
    void everyPersonHasAShortPassageBuiltFromTheirFactsAndAFillerFact() {
        FictitiousFacts spec = FictitiousFacts.of(20, 0.1);
        Dataset d = spec.load(5);
        var tokenizer = d.fitTokenizer();
        for (Split s : List.of(Split.FORGET, Split.RETAIN, Split.HOLDOUT)) {
            List<Passage> passages = d.passages(s);
            assertEquals(subjects(d, s), passages.stream().map(Passage::subject).collect(Collectors.toSet()), s.id());
            assertEquals(subjects(d, s).size(), passages.size(), "one passage per person");
            for (Passage p : passages) {
                assertTrue(p.text().startsWith(p.subject() + " was born in "), p.text());
                for (QaExample e : d.get(s)) {
                    if (e.subject().equals(p.subject()) && List.of("birth_year", "city", "profession", "employer")
                            .contains(e.fact())) {
                        assertTrue(p.text().contains(" " + e.answer() + (e.fact().equals("birth_year") ? " and"
                                : e.fact().equals("profession") ? " for" : ".")), e.fact() + " in " + p.text());
                    }
                }
                assertTrue(p.text().contains(". Their ") && p.text().contains(" is called "), p.text());
                int tokens = tokenizer.encode(p.text()).length;
                assertTrue(tokens <= 26, tokens + " tokens: " + p.text());
            }
        }
        assertTrue(d.passages(Split.WORLD).isEmpty());
        assertEquals(d.get(Split.FORGET), new FictitiousFacts(20, 0.1, spec.holdoutPeople(), 6, 15, 10).load(5)
                .get(Split.FORGET), "same spec, same examples");
    }

    @Test
    void multipleChoiceQuestionsHoldTheAnswerAndThreeOtherSubjectsValuesOfTheSameFact() {
        Dataset d = FictitiousFacts.of(20, 0.1).load(5);
        List<QaExample> all = d.union(Split.values());
        int[] positions = new int[4];
        for (Split s : Split.values()) {
            List<QaExample> examples = d.get(s);
            List<MultipleChoice> choices = d.choices(s);
            assertEquals(examples.size(), choices.size(), s.id());
            for (int i = 0; i < choices.size(); i++) {
                QaExample e = examples.get(i);
                MultipleChoice c = choices.get(i);
                assertEquals(e.question(), c.question());
                assertEquals(4, c.options().size());
                assertEquals(e.answer(), c.correct());
                positions[c.answer()]++;
                for (int o = 0; o < 4; o++) {
                    if (o != c.answer() && s == Split.REAL_AUTHORS) {
                        assertTrue(e.perturbedAnswers().contains(c.options().get(o)), "a real author's wrong answer");
                    } else if (o != c.answer()) {
                        String option = c.options().get(o);
                        assertTrue(all.stream().anyMatch(x -> x.fact().equals(e.fact())
                                && !x.subject().equals(e.subject()) && x.answer().equals(option)), option);
                    }
                }
            }
        }
        for (int p : positions) {
            assertTrue(p > 20, "the correct option's position is shuffled: " + java.util.Arrays.toString(positions));
        }
    }

    private static Set<String> subjects(Dataset d, Split s) {
        return d.get(s).stream().map(QaExample::subject).collect(Collectors.toSet());
    }
}
