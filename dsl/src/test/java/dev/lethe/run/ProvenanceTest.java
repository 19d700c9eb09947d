package dev.lethe.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lethe.Lethe;
import dev.lethe.data.FictitiousFacts;
import dev.lethe.data.JsonlData;
import dev.lethe.model.GptConfig;
import dev.lethe.spec.Recipe;
import dev.lethe.spec.Training;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProvenanceTest {
    private static Recipe onFolder(Path data) {
        return Lethe.recipe("provenance").model(GptConfig.tiny()).data(new JsonlData(data))
                .learn(Training.of(5)).build();
    }

    @Test
    void editingTheDataFilesChangesTheDataHashAndTheRunHash(@TempDir Path tmp) throws Exception {
        Path data = tmp.resolve("data");
        new FictitiousFacts(6, 0.34, 1, 2, 1, 1).load(1).writeTo(data);
        Recipe recipe = onFolder(data);
        String yaml = Lethe.toYaml(recipe);
        Provenance before = Provenance.of(recipe, yaml);
        assertEquals(before, Provenance.of(recipe, yaml), "the same files: the same hashes");
        assertEquals(before.dataHash(),
                new ObjectMapper().readTree(before.json()).get("data_hash").asText(), "provenance.json records it");

        Files.move(data.resolve("forget.jsonl"), tmp.resolve("swap.jsonl"));
        Files.move(data.resolve("retain.jsonl"), data.resolve("forget.jsonl"));
        Files.move(tmp.resolve("swap.jsonl"), data.resolve("retain.jsonl"));
        Provenance after = Provenance.of(recipe, yaml);
        assertEquals(before.recipeHash(), after.recipeHash(), "the recipe text is the same");
        assertNotEquals(before.dataHash(), after.dataHash());
        assertNotEquals(before.hash(), after.hash(), "the run hash covers the data");
        assertTrue(after.dataHash().matches("[0-9a-f]{64}"), after.dataHash());
    }
}
