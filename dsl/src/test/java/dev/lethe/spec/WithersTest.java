package dev.lethe.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.lethe.Lethe;
import dev.lethe.adapter.Lora;
import dev.lethe.attack.Attacks;
import dev.lethe.data.FictitiousFacts;
import dev.lethe.data.Split;
import dev.lethe.data.Texts;
import dev.lethe.eval.Suites;
import dev.lethe.model.GptConfig;
import dev.lethe.model.Precision;
import dev.lethe.objective.Objectives;
import dev.lethe.optim.Optimizers;
import dev.lethe.part.Kind;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.junit.jupiter.api.Test;

/** Each stage's {@code with…} methods change their own field and nothing else; recipes change a named stage. */
class WithersTest {
    /** The recipe-file names of the parameters whose values differ between {@code a} and {@code b}. */
    private static <T> List<String> changed(Kind<T> kind, T a, T b) {
        List<?> va = kind.values().apply(a);
        List<?> vb = kind.values().apply(b);
        List<String> out = new ArrayList<>();
        for (int i = 0; i < kind.params().size(); i++) {
            if (!Objects.equals(va.get(i), vb.get(i))) {
                out.add(kind.params().get(i).name());
            }
        }
        return out;
    }

    @Test
    void unlearningWithersChangeOneFieldEach() {
        Unlearning u = Unlearning.of(Objectives.npo());
        Kind<Unlearning> k = Unlearning.KIND;
        assertEquals(List.of("objective"), changed(k, u, u.withObjective(Objectives.simNpo())));
        assertEquals(List.of("optimizer"), changed(k, u, u.withOptimizer(Optimizers.sgd(0.1))));
        assertEquals(List.of("steps"), changed(k, u, u.withSteps(7)));
        assertEquals(List.of("batch_size"), changed(k, u, u.withBatchSize(3)));
        assertEquals(List.of("requests"), changed(k, u, u.withRequests(2)));
        assertEquals(List.of("adapters"), changed(k, u, u.withAdapters(Lora.rank(4))));
        assertEquals(List.of("diverge_above"), changed(k, u, u.withDivergeAbove(50)));
        assertEquals(List.of("train_on"), changed(k, u, u.withTrainOn(Texts.PASSAGES)));
        assertEquals(List.of("precision"), changed(k, u, u.withPrecision(Precision.FLOAT16)));
        assertEquals(List.of("continual"), changed(k, u, u.withContinual(Continual.every(5))));
    }

    @Test
    void trainingStageWithersChangeOneFieldEach() {
        Training t = Training.of(100);
        Learn l = Learn.of(t);
        assertEquals(List.of("steps"), changed(Learn.KIND, l, l.withSteps(5)));
        assertEquals(List.of("batch_size"), changed(Learn.KIND, l, l.withBatchSize(5)));
        assertEquals(List.of("optimizer"), changed(Learn.KIND, l, l.withOptimizer(Optimizers.sgd(0.1))));
        assertEquals(List.of("steps"), changed(Learn.KIND, l, l.withTraining(t.withSteps(3))));
        assertEquals(List.of("splits"), changed(Learn.KIND, l, l.withSplits(Split.RETAIN)));
        assertEquals(List.of("train_on"), changed(Learn.KIND, l, l.withTexts(Texts.ANSWERS)));
        assertEquals(List.of("continual"), changed(Learn.KIND, l, l.withContinual(Continual.every(5))));
        Finetune f = Finetune.of(t, Split.RETAIN);
        assertEquals(List.of("steps"), changed(Finetune.KIND, f, f.withSteps(5)));
        assertEquals(List.of("splits"), changed(Finetune.KIND, f, f.withSplits(Split.WORLD)));
        assertEquals(List.of("train_on"), changed(Finetune.KIND, f, f.withTexts(Texts.PASSAGES)));
        assertEquals(List.of("continual"), changed(Finetune.KIND, f, f.withContinual(Continual.every(5))));
        Reference r = Reference.of(t);
        assertEquals(List.of("steps"), changed(Reference.KIND, r, r.withSteps(5)));
        assertEquals(List.of("from"), changed(Reference.KIND, r, r.withFrom("learned")));
        assertEquals(List.of("splits"), changed(Reference.KIND, r, r.withSplits(Split.RETAIN)));
        assertEquals(List.of("continual"), changed(Reference.KIND, r, r.withContinual(Continual.every(5))));
    }

    @Test
    void otherStageWithersChangeOneFieldEach() {
        Relearning r = new Relearning(10, 5, 1e-3, null);
        assertEquals(List.of("steps"), changed(Relearning.KIND, r, r.withSteps(3)));
        assertEquals(List.of("examples"), changed(Relearning.KIND, r, r.withExamples(2)));
        assertEquals(List.of("lr"), changed(Relearning.KIND, r, r.withLr(1e-2)));
        assertEquals(List.of("continual"), changed(Relearning.KIND, r, r.withContinual(Continual.every(2))));
        Attacking a = Attacking.of(Attacks.quantize(4));
        assertEquals(List.of("attacks"), changed(Attacking.KIND, a, a.withAttacks(Attacks.prune(0.5))));
        assertEquals(List.of("continual"), changed(Attacking.KIND, a, a.withContinual(Continual.every(2))));
        Evaluation e = Evaluation.defaults();
        assertEquals(List.of("suites"), changed(Evaluation.KIND, e, e.withSuites(Suites.answers())));
        assertEquals(List.of("splits"), changed(Evaluation.KIND, e, e.withSplits(Split.FORGET)));
        AcuLearning acu = AcuLearning.defaults();
        assertEquals(List.of("layer"), changed(AcuLearning.KIND, acu, acu.withLayer(1)));
        assertEquals(List.of("expansion"), changed(AcuLearning.KIND, acu, acu.withExpansion(64)));
        assertEquals(List.of("gamma"), changed(AcuLearning.KIND, acu, acu.withGamma(1)));
        assertEquals(List.of("scale"), changed(AcuLearning.KIND, acu, acu.withScale(2)));
        assertEquals(List.of("splits"), changed(AcuLearning.KIND, acu, acu.withSplits(Split.RETAIN)));
        assertEquals(acu, acu.withContinual(Continual.every(2)), "a closed-form stage has no steps to evaluate between");
    }

    @Test
    void withStageChangesTheNamedStageOfARecipeAndNoOther() {
        Recipe recipe = Lethe.recipe("two unlearnings")
                .model(GptConfig.tiny())
                .data(FictitiousFacts.of(10, 0.2))
                .learn(Training.of(10))
                .unlearn(Unlearning.of(Objectives.npo()))
                .unlearn(Unlearning.of(Objectives.npo()))
                .build();
        Recipe changed = recipe.withStage("unlearn-2", Unlearning.class,
                u -> u.withObjective(Objectives.simNpo()).withSteps(7));
        assertEquals(recipe.stages().get(1), changed.stages().get(1), "unlearn is as it was");
        assertEquals(Unlearning.of(Objectives.simNpo()).withSteps(7), changed.stages().get(2));
        assertEquals(Learn.of(Training.of(20)), recipe.withStage("learn", Learn.of(Training.of(20))).stages().get(0));

        IllegalArgumentException none = assertThrows(IllegalArgumentException.class,
                () -> recipe.withStage("unlearn-3", Unlearning.class, u -> u));
        assertEquals("recipe 'two unlearnings' has no stage called 'unlearn-3'; its stages are [learn, unlearn, "
                + "unlearn-2, evaluate]", none.getMessage());
        IllegalArgumentException type = assertThrows(IllegalArgumentException.class,
                () -> recipe.withStage("learn", Unlearning.class, u -> u));
        assertEquals("recipe 'two unlearnings': stage learn is a learn stage (Learn), not Unlearning",
                type.getMessage());
    }

    @Test
    void modelAndBenchmarkConfigsHaveWithersThatChangeOneFieldEach() {
        GptConfig g = GptConfig.tiny();
        Kind<GptConfig> k = GptConfig.KIND;
        assertEquals(List.of("layers"), changed(k, g, g.withLayers(2)));
        assertEquals(List.of("width"), changed(k, g, g.withWidth(64)));
        assertEquals(List.of("heads"), changed(k, g, g.withHeads(2)));
        assertEquals(List.of("width", "heads"), changed(k, g, g.withShape(48, 3)));
        assertEquals(List.of("context_length"), changed(k, g, g.withContextLength(64)));
        assertEquals(List.of("dropout"), changed(k, g, g.withDropout(0.1f)));
        assertEquals(List.of("activation"), changed(k, g, g.withActivation(GptConfig.Activation.GELU_TANH)));
        FictitiousFacts f = FictitiousFacts.of(50, 0.1);
        Kind<FictitiousFacts> fk = FictitiousFacts.KIND;
        assertEquals(List.of("people"), changed(fk, f, f.withPeople(20)));
        assertEquals(List.of("forget_fraction"), changed(fk, f, f.withForgetFraction(0.2)));
        assertEquals(List.of("holdout_people"), changed(fk, f, f.withHoldoutPeople(0)));
        assertEquals(List.of("facts_per_person"), changed(fk, f, f.withFactsPerPerson(2)));
        assertEquals(List.of("world_countries"), changed(fk, f, f.withWorldCountries(3)));
    }
}
