package dev.lethe.recipe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lethe.Lethe;
import dev.lethe.Quickstart;
import dev.lethe.adapter.Lora;
import dev.lethe.objective.AltPo;
import dev.lethe.objective.Objectives;
import dev.lethe.optim.Optimizers;
import dev.lethe.data.Split;
import dev.lethe.spec.Finetune;
import dev.lethe.spec.Recipe;
import dev.lethe.spec.Stage;
import dev.lethe.spec.Unlearning;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Every file in examples/recipes (and its folders) parses and round-trips; the quickstart file is the quickstart recipe. */
class ExampleRecipesTest {
    private static final Path DIR = Path.of("..", "examples", "recipes");

    @Test
    void everyExampleRecipeParsesAndRoundTrips() throws IOException {
        List<Path> files;
        try (Stream<Path> s = Files.walk(DIR)) {
            files = s.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
        }
        assertTrue(files.size() >= 30, files.toString());
        for (Path f : files) {
            Recipe r = Lethe.fromYaml(f);
            assertEquals(r, Lethe.fromYaml(Lethe.toYaml(r)), f.toString());
        }
    }

    @Test
    void theComposedExamplesAreTheirDslExpressions() {
        assertEquals(Unlearning.of(Objectives.conflictProjection(Objectives.npo(), Objectives.klRetain().times(0.5)))
                .optimizer(Optimizers.signAdam(1e-3)).steps(200),
                Lethe.fromYaml(DIR.resolve("compose-conflict-projection.yaml")).first(Unlearning.class));
        assertEquals(Lora.rank(8).alpha(16).fila(), Lethe.fromYaml(DIR.resolve("lora-fila.yaml")).first(Unlearning.class).adapters());
        assertEquals(Objectives.conceptCorrection().plus(Objectives.nll()),
                Lethe.fromYaml(DIR.resolve("concept-correction.yaml")).first(Unlearning.class).objective());
        assertEquals(Objectives.undial().plus(Objectives.nll()),
                Lethe.fromYaml(DIR.resolve("undial.yaml")).first(Unlearning.class).objective());
        assertEquals(new AltPo(0.1, 5, 32, 1, 0).plus(Objectives.nll()),
                Lethe.fromYaml(DIR.resolve("altpo.yaml")).first(Unlearning.class).objective());
    }

    /**
     * The path-dependence family differs only in its name and in the order of the two finetune stages before the
     * third: the same stages otherwise, so that its runs compare paths and nothing else.
     */
    @Test
    void thePathDependencePathsAreOneRecipeWithTwoFinetuneStagesSwapped() {
        Recipe forgetFirst = Lethe.fromYaml(DIR.resolve("path-dependence-forget-first.yaml"));
        Recipe retainFirst = Lethe.fromYaml(DIR.resolve("path-dependence-retain-first.yaml"));
        List<Stage> swapped = new java.util.ArrayList<>(retainFirst.stages());
        java.util.Collections.swap(swapped, 1, 2);
        assertEquals(forgetFirst, new Recipe(forgetFirst.name(), retainFirst.seed(), retainFirst.device(),
                retainFirst.model(), retainFirst.data(), swapped));
        Finetune first = (Finetune) forgetFirst.stages().get(1);
        assertEquals(List.of(Split.FORGET, Split.WORLD), first.splits());
        assertEquals(forgetFirst.first(Unlearning.class).continual().every(), 10);
    }

    @Test
    void theQuickstartFileIsTheBuiltInQuickstart() {
        assertEquals(Quickstart.recipe(), Lethe.fromYaml(DIR.resolve("quickstart-npo.yaml")));
    }
}
