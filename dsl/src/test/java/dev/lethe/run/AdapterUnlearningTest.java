package dev.lethe.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lethe.Lethe;
import dev.lethe.adapter.Lora;
import dev.lethe.data.FictitiousFacts;
import dev.lethe.data.Split;
import dev.lethe.eval.Suites;
import dev.lethe.model.GptConfig;
import dev.lethe.objective.Objectives;
import dev.lethe.optim.Optimizer;
import dev.lethe.optim.Optimizers;
import dev.lethe.optim.Transform;
import dev.lethe.result.RunResult;
import dev.lethe.spec.Evaluation;
import dev.lethe.spec.Training;
import dev.lethe.spec.Unlearning;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The runner's unlearn stage with low-rank adapters: trains the adapters only, merges, and unlearns. */
class AdapterUnlearningTest {
    private static final GptConfig SMALL = new GptConfig(0, 2, 32, 2, 32, 0f);

    static Stream<Lora> adapters() {
        return Stream.of(Lora.rank(4).alpha(8), Lora.rank(4).alpha(8).fila());
    }

    @ParameterizedTest
    @MethodSource("adapters")
    void gradientAscentOnAdaptersRaisesForgetNllAndTrainsOnlyThem(Lora lora) {
        List<Long> trainedSizes = new ArrayList<>();
        Set<String> trainedNames = new TreeSet<>();
        Transform probe = (updates, state, weights, step, total) -> {
            trainedSizes.add(weights.size());
            trainedNames.addAll(weights.names());
            return updates;
        };
        Optimizer adam = Optimizers.adamW(1e-2);
        List<Transform> chain = new ArrayList<>(List.of(probe));
        chain.addAll(adam.transforms());
        Unlearning unlearning = Unlearning.of(Objectives.gradientAscent()).steps(8).batchSize(4)
                .optimizer(new Optimizer(adam.estimator(), chain)).adapters(lora);
        RunResult r = Lethe.recipe("lora").model(SMALL).data(new FictitiousFacts(8, 0.25, 2, 3, 2, 2))
                .learn(Training.of(60).batchSize(8)).unlearn(unlearning)
                .evaluate(new Evaluation(List.of(Suites.answers()), List.of(Split.FORGET))).seed(5)
                .run(e -> { });
        double learned = r.value("learned", Split.FORGET, "nll");
        double unlearned = r.value("unlearned", Split.FORGET, "nll");
        assertTrue(unlearned > learned + 0.5, "forget NLL " + learned + " -> " + unlearned);
        // per block: r·(32+96) + r·(32+32) + r·(32+128) + r·(128+32) = 512·r, two blocks
        assertEquals(List.of(2 * 512L * 4), trainedSizes.stream().distinct().toList());
        assertEquals(8, trainedSizes.size(), "one update per step");
        assertEquals(16, trainedNames.size());
        assertTrue(trainedNames.stream().allMatch(n -> n.endsWith(".lora_A") || n.endsWith(".lora_B")), trainedNames::toString);
    }
}
