package dev.lethe.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JsonlDataTest {

    @Test
    void aWrittenBenchmarkLoadsBackAsTheSameDataset(@TempDir Path dir) {
        Dataset generated = FictitiousFacts.of(12, 0.25).load(8);
        generated.writeTo(dir);
        assertEquals(generated, new JsonlData(dir).load(123));
    }

    @Test
    void tofuStyleRecordsWithOnlyQuestionAndAnswerLoad(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("forget.jsonl"), "{\"question\": \"Who wrote X?\", \"answer\": \"Y\"}\n");
        Files.writeString(dir.resolve("retain.jsonl"),
                "{\"question\": \"Q?\", \"answer\": \"A\", \"perturbed_answer\": [\"B\", \"C\"], \"extra\": 1}\n\n");
        Dataset d = new JsonlData(dir).load(0);
        assertEquals(1, d.get(Split.FORGET).size());
        assertEquals("Who wrote X?", d.get(Split.FORGET).get(0).paraphrasedQuestion());
        assertEquals(java.util.List.of("B", "C"), d.get(Split.RETAIN).get(0).perturbedAnswers());
        assertTrue(d.get(Split.WORLD).isEmpty());
    }

    @Test
    void museStylePassagesAndWmdpStyleChoicesLoadBesideTheExamples(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("forget.jsonl"), "{\"question\": \"Who wrote X?\", \"answer\": \"Y\"}\n");
        Files.writeString(dir.resolve("retain.jsonl"), "");
        Files.writeString(dir.resolve("forget.passages.jsonl"), "{\"text\": \"Y wrote X in a cold winter.\"}\n");
        Files.writeString(dir.resolve("forget.choices.jsonl"),
                "{\"question\": \"Who wrote X?\", \"choices\": [\"Z\", \"Y\", \"W\", \"V\"], \"answer\": 1}\n");
        Dataset d = new JsonlData(dir).load(0);
        assertEquals(List.of(new Passage("Y wrote X in a cold winter.", "")), d.passages(Split.FORGET));
        MultipleChoice c = d.choices(Split.FORGET).get(0);
        assertEquals("Y", c.correct());
        assertEquals(List.of("Z", "Y", "W", "V"), c.options());
        assertTrue(d.passages(Split.RETAIN).isEmpty() && d.choices(Split.RETAIN).isEmpty());
    }

    @Test
    void badChoicesAndPassagesNameFileLineAndProblem(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("forget.choices.jsonl");
        Files.writeString(f, "{\"question\": \"q\", \"choices\": [\"a\", \"b\"], \"answer\": 0}\n"
                + "{\"question\": \"q\", \"choices\": [\"a\", \"b\"], \"answer\": 2}\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Jsonl.readChoices(f));
        assertTrue(e.getMessage().startsWith(f + ":2:") && e.getMessage().contains("answer index 2"), e.getMessage());
        Files.writeString(f, "{\"question\": \"q\", \"choices\": \"a\", \"answer\": 0}\n");
        e = assertThrows(IllegalArgumentException.class, () -> Jsonl.readChoices(f));
        assertTrue(e.getMessage().contains(":1:") && e.getMessage().contains("'choices'"), e.getMessage());
        Files.writeString(f, "{\"question\": \"q\", \"choices\": [\"a\", \"a\"], \"answer\": 0}\n");
        e = assertThrows(IllegalArgumentException.class, () -> Jsonl.readChoices(f));
        assertTrue(e.getMessage().contains("distinct"), e.getMessage());
        Path p = dir.resolve("forget.passages.jsonl");
        Files.writeString(p, "{\"subject\": \"Y\"}\n");
        e = assertThrows(IllegalArgumentException.class, () -> Jsonl.readPassages(p));
        assertTrue(e.getMessage().startsWith(p + ":1:") && e.getMessage().contains("'text'"), e.getMessage());
    }

    @Test
    void aFolderWithoutRetainIsRejectedByName(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("forget.jsonl"), "{\"question\": \"q\", \"answer\": \"a\"}\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new JsonlData(dir).load(0));
        assertTrue(e.getMessage().contains("retain.jsonl"), e.getMessage());
    }
}
