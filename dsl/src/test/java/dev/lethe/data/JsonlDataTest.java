package dev.lethe.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
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
    void aFolderWithoutRetainIsRejectedByName(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("forget.jsonl"), "{\"question\": \"q\", \"answer\": \"a\"}\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new JsonlData(dir).load(0));
        assertTrue(e.getMessage().contains("retain.jsonl"), e.getMessage());
    }
}
