package dev.lethe.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import dev.lethe.Lethe;
import dev.lethe.data.Dataset;
import dev.lethe.data.FictitiousFacts;
import dev.lethe.data.Split;
import dev.lethe.eval.Suites;
import dev.lethe.model.CausalLm;
import dev.lethe.model.GptConfig;
import dev.lethe.model.Tokenizer;
import dev.lethe.objective.Objectives;
import dev.lethe.result.RunEvent;
import dev.lethe.result.RunResult;
import dev.lethe.spec.Evaluation;
import dev.lethe.spec.Recipe;
import dev.lethe.spec.Training;
import dev.lethe.spec.Unlearning;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A save stage writes the current model inside the runner's output folder, and nowhere else. */
class SaveStageTest {
    private static final GptConfig SMALL = new GptConfig(0, 1, 16, 2, 32, 0f);

    private static Recipe recipe(String file) {
        return Lethe.recipe("save").model(SMALL).data(new FictitiousFacts(4, 0.25, 1, 2, 1, 1))
                .learn(Training.of(4).batchSize(4)).save("learned.safetensors")
                .unlearn(Unlearning.of(Objectives.gradientAscent()).steps(2).batchSize(2)).save(file)
                .evaluate(new Evaluation(List.of(Suites.answers()), List.of(Split.FORGET))).build();
    }

    @Test
    void theCurrentModelIsWrittenWhereTheStageSaysAndReadsBackAsThatModel(@TempDir Path out) {
        RunResult r = Runner.of(recipe("models/unlearned.safetensors")).saveTo(out).run();
        assertTrue(Files.isRegularFile(out.resolve("learned.safetensors")));
        Path unlearned = out.resolve("models/unlearned.safetensors");
        Dataset data = new FictitiousFacts(4, 0.25, 1, 2, 1, 1).load(Seeds.derive(42, "data"));
        Tokenizer tokenizer = data.fitTokenizer();
        try (CausalLm back = CausalLm.load(unlearned, SMALL.withVocabSize(tokenizer.vocabSize()), Device.cpu())) {
            double nll = Suites.answers().evaluate(back, tokenizer, data.view(Split.FORGET)).stream()
                    .filter(v -> v.name().equals("nll")).findFirst().orElseThrow().value();
            assertEquals(r.value("unlearned", Split.FORGET, "nll"), nll, 0.0, "the saved file is the unlearned model");
        }
        assertEquals(List.of("learn", "save", "unlearn", "save-2", "evaluate"), r.events().stream()
                .filter(e -> e instanceof RunEvent.StageFinished).map(RunEvent::stage).toList());
    }

    @Test
    void aFolderThatLinksOutsideIsRefused(@TempDir Path tmp) throws IOException {
        Path out = Files.createDirectory(tmp.resolve("out"));
        Path elsewhere = Files.createDirectory(tmp.resolve("elsewhere"));
        Files.createSymbolicLink(out.resolve("models"), elsewhere);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Runner.of(recipe("models/unlearned.safetensors")).saveTo(out).run());
        assertTrue(e.getMessage().contains("leads outside"), e.getMessage());
        try (var files = Files.list(elsewhere)) {
            assertFalse(files.findAny().isPresent(), "nothing was written through the link");
        }
    }
}
