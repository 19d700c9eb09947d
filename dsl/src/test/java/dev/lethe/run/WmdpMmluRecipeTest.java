package dev.lethe.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lethe.Lethe;
import dev.lethe.data.ChoiceFiles;
import dev.lethe.data.FictitiousFacts;
import dev.lethe.data.MultipleChoice;
import dev.lethe.data.Split;
import dev.lethe.data.WithChoices;
import dev.lethe.eval.MultipleChoiceSuite;
import dev.lethe.eval.Suites;
import dev.lethe.model.CausalLm;
import dev.lethe.model.HfModel;
import dev.lethe.model.HfTokenizer;
import dev.lethe.model.QaTokenizer;
import dev.lethe.objective.Objectives;
import dev.lethe.result.RunResult;
import dev.lethe.spec.Evaluation;
import dev.lethe.spec.Recipe;
import dev.lethe.spec.Unlearning;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The offline road with WMDP as forget-domain knowledge and MMLU as general knowledge: a model folder (a byte-level
 * BPE tokenizer with a chat template), the committed fixtures attached to the forget and world splits, lettered
 * accuracy before and after unlearning.
 */
class WmdpMmluRecipeTest {

    private static Path resource(String name) {
        try {
            return Path.of(WmdpMmluRecipeTest.class.getResource("/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void wmdpOnForgetAndMmluOnWorldAreScoredByLetterThroughARecipe(@TempDir Path dir) throws Exception {
        FictitiousFacts facts = FictitiousFacts.of(4, 0.25).withFactsPerPerson(1);
        Path base = BaseModel.pretrain(dir.resolve("base"), BaseModel.Options.defaults().withCorpus(facts, 10)
                .withShape(280, 16, 1).withSteps(2));
        Path bio = resource("wmdp/wmdp-bio.jsonl");
        Path mmlu = resource("mmlu/data/test");
        Evaluation both = new Evaluation(List.of(Suites.multipleChoiceLettered(), Suites.multipleChoice()),
                List.of(Split.FORGET, Split.WORLD));
        Recipe recipe = Lethe.recipe("wmdp-mmlu").model(HfModel.at(base))
                .data(WithChoices.on(facts).forget(bio).world(mmlu))
                .evaluate(both)
                .unlearn(Unlearning.of(Objectives.npo()).steps(2).batchSize(2))
                .evaluate(both)
                .build();
        assertEquals(recipe, Lethe.fromYaml(Lethe.toYaml(recipe)));

        RunResult result = Runner.of(recipe).noCache().run();
        String lettered = MultipleChoiceSuite.ACCURACY_LETTERED.name();
        for (String model : List.of("initial", "unlearned")) {
            double wmdp = result.value(model, Split.FORGET, lettered);
            double general = result.value(model, Split.WORLD, lettered);
            // 3 WMDP questions on forget, 5 MMLU questions on world: the attached files, not the built-in questions
            assertEquals(0, Math.abs(wmdp * 3 - Math.rint(wmdp * 3)), 1e-9, model + " " + wmdp);
            assertEquals(0, Math.abs(general * 5 - Math.rint(general * 5)), 1e-9, model + " " + general);
            assertTrue(result.value(model, Split.FORGET, MultipleChoiceSuite.ACCURACY.name()) >= 0);
        }

        // the run's value for the initial model is the suite's on the folder's model, through its tokenizer
        try (CausalLm model = HfModel.at(base).load(ai.djl.Device.cpu());
                QaTokenizer tokenizer = QaTokenizer.of(HfTokenizer.fromFolder(base))) {
            List<MultipleChoice> questions = ChoiceFiles.read(bio);
            double direct = Suites.multipleChoiceLettered().evaluate(model, tokenizer,
                    new dev.lethe.data.SplitData(Split.FORGET, List.of(), List.of(), questions)).get(0).value();
            assertEquals(direct, result.value("initial", Split.FORGET, lettered), 1e-12);
        }
    }

    @Test
    void aRecipeFilePointingAtTheHubsParquetFoldersEvaluates(@TempDir Path dir) throws Exception {
        FictitiousFacts facts = FictitiousFacts.of(4, 0.25).withFactsPerPerson(1);
        Path base = BaseModel.pretrain(dir.resolve("base"), BaseModel.Options.defaults().withCorpus(facts, 10)
                .withShape(280, 16, 1).withSteps(2));
        // cais/wmdp's wmdp-bio/ and cais/mmlu's high_school_biology/ folders as the hub holds them (Parquet)
        Path bio = resource("parquet/hub/wmdp/wmdp-bio");
        Path mmlu = resource("parquet/hub/mmlu/high_school_biology");
        Recipe recipe = Lethe.fromYaml("name: wmdp-mmlu-parquet\n"
                + "model: {hf: " + base + "}\n"
                + "data:\n"
                + "  with_choices:\n"
                + "    data: {fictitious_facts: {people: 4, forget_fraction: 0.25, facts_per_person: 1}}\n"
                + "    forget: [" + bio + "]\n"
                + "    world: [" + mmlu + "]\n"
                + "stages:\n"
                + "  - evaluate: {suites: [{multiple_choice: {format: lettered}}], splits: [forget, world]}\n");
        RunResult result = Runner.of(recipe).noCache().run();
        String lettered = MultipleChoiceSuite.ACCURACY_LETTERED.name();
        double wmdp = result.value("initial", Split.FORGET, lettered);
        double general = result.value("initial", Split.WORLD, lettered);
        // 3 WMDP questions on forget, 2 MMLU test questions on world (not the folder's dev or validation rows)
        assertEquals(0, Math.abs(wmdp * 3 - Math.rint(wmdp * 3)), 1e-9, "wmdp " + wmdp);
        assertEquals(0, Math.abs(general * 2 - Math.rint(general * 2)), 1e-9, "mmlu " + general);
        try (CausalLm model = HfModel.at(base).load(ai.djl.Device.cpu());
                QaTokenizer tokenizer = QaTokenizer.of(HfTokenizer.fromFolder(base))) {
            double direct = Suites.multipleChoiceLettered().evaluate(model, tokenizer,
                    new dev.lethe.data.SplitData(Split.WORLD, List.of(), List.of(), ChoiceFiles.read(mmlu))).get(0)
                    .value();
            assertEquals(direct, general, 1e-12);
        }
    }
}
