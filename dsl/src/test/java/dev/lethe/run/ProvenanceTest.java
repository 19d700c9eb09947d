package dev.lethe.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lethe.Lethe;
import dev.lethe.data.FictitiousFacts;
import dev.lethe.data.JsonlData;
import dev.lethe.model.GptConfig;
import dev.lethe.objective.Objectives;
import dev.lethe.optim.FirstOrder;
import dev.lethe.optim.Optimizer;
import dev.lethe.optim.Optimizers;
import dev.lethe.optim.ScaleByLearningRate;
import dev.lethe.optim.Schedules;
import dev.lethe.part.ContentInput;
import dev.lethe.spec.Recipe;
import dev.lethe.spec.Training;
import dev.lethe.spec.Unlearning;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
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

    /**
     * A schedule derived from a run's event log is keyed on what it read (the rates), not on the log's path: a copy
     * of the log elsewhere gives the same hashes, other norms at the same path give others (provenance and cache).
     */
    @Test
    void aScheduleReadFromAnEventLogIsKeyedOnItsContentNotItsPath(@TempDir Path tmp) throws Exception {
        Path first = tmp.resolve("first.jsonl");
        Files.writeString(first, progress(1.0, 2.0, 2.0));
        Path copy = tmp.resolve("elsewhere").resolve("events.jsonl");
        Files.createDirectories(copy.getParent());
        Files.copy(first, copy);
        Recipe a = refinedFrom(first);
        Recipe b = refinedFrom(copy);
        Provenance pa = Provenance.of(a, "same text");
        Provenance pb = Provenance.of(b, "same text");
        assertEquals(1, pa.inputHashes().size(), pa.inputHashes().toString());
        assertEquals(pa.inputHashes(), pb.inputHashes(), "a copy elsewhere: the same content");
        assertEquals(pa.hash(), pb.hash());
        assertTrue(pa.json().contains("\"input_hashes\" : {\n    \"unlearn\" : \""), pa.json());

        Files.writeString(first, progress(1.0, 1.0, 3.0));
        Provenance edited = Provenance.of(refinedFrom(first), "same text");
        assertNotEquals(pa.inputHashes(), edited.inputHashes(), "other norms at the same path");
        assertNotEquals(pa.hash(), edited.hash());
        assertEquals(List.of(), ContentInput.in(onFolder(tmp)), "a recipe without such parts reads nothing");
    }

    private static String progress(double... norms) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < norms.length; i++) {
            sb.append("{\"event\":\"progress\",\"stage\":\"unlearn\",\"step\":").append(i + 1)
                    .append(",\"grad_norm\":").append(norms[i]).append("}\n");
        }
        return sb.toString();
    }

    private static Recipe refinedFrom(Path events) {
        Optimizer optimizer = Optimizers.chain(new FirstOrder(), new ScaleByLearningRate(
                new Schedules.RefinedFromRun(events, "unlearn", 1e-3, 1, Schedules.Norm.L2)));
        return Lethe.recipe("refined").model(GptConfig.tiny()).data(FictitiousFacts.of(6, 0.34))
                .learn(Training.of(2)).unlearn(Unlearning.of(Objectives.npo()).optimizer(optimizer).steps(3)).build();
    }
}
