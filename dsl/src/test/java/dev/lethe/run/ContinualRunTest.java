package dev.lethe.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lethe.Lethe;
import dev.lethe.attack.Attack;
import dev.lethe.attack.AttackContext;
import dev.lethe.attack.Attacked;
import dev.lethe.attack.Attacks;
import dev.lethe.data.FictitiousFacts;
import dev.lethe.data.QaExample;
import dev.lethe.data.Split;
import dev.lethe.data.Texts;
import dev.lethe.eval.Suites;
import dev.lethe.model.CausalLm;
import dev.lethe.model.GptConfig;
import dev.lethe.objective.Objectives;
import dev.lethe.report.RunTables;
import dev.lethe.result.RunEvent;
import dev.lethe.result.RunResult;
import dev.lethe.spec.Attacking;
import dev.lethe.spec.Continual;
import dev.lethe.spec.Evaluation;
import dev.lethe.spec.Finetune;
import dev.lethe.spec.Learn;
import dev.lethe.spec.ModelRole;
import dev.lethe.spec.Training;
import dev.lethe.spec.Unlearning;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ContinualRunTest {
    private static final GptConfig SMALL = new GptConfig(0, 2, 32, 2, 32, 0f);

    /** An attack that leaves the model alone and keeps a copy of its weights, to compare trajectories. */
    private static final class Snapshot implements Attack {
        final Map<String, float[]> weights = new LinkedHashMap<>();

        @Override
        public String name() {
            return "snapshot";
        }

        @Override
        public Attacked apply(CausalLm model, AttackContext context) {
            model.weights().forEach((n, w) -> weights.put(n, w.toFloatArray()));
            return Attacked.newData(model, context.data());
        }
    }

    private static Lethe.RecipeStep small(Unlearning unlearning, Evaluation evaluation) {
        return Lethe.recipe("small")
                .model(SMALL)
                .data(new FictitiousFacts(8, 0.25, 2, 3, 2, 2))
                .learn(Training.of(60).batchSize(8))
                .reference()
                .unlearn(unlearning)
                .evaluate(evaluation)
                .seed(5);
    }

    @Test
    void continualEvaluationRecordsCurvesWithoutChangingTheTrajectory() {
        Unlearning npo = Unlearning.of(Objectives.npo()).steps(5).batchSize(4);
        Evaluation plain = Evaluation.of(Suites.answers());
        Snapshot without = new Snapshot();
        Snapshot with = new Snapshot();
        RunResult a = small(npo, plain).robustness(without, Attacks.relearn(3, 2, 1e-3)).run(e -> {});
        RunResult b = small(npo.every(2), plain).stage(new Attacking(List.of(with, Attacks.relearn(3, 2, 1e-3)),
                Continual.every(2))).run(e -> {});

        assertEquals(without.weights.keySet(), with.weights.keySet());
        without.weights.forEach((n, w) -> assertTrue(java.util.Arrays.equals(w, with.weights.get(n)),
                "continual evaluation changed the unlearned " + n));
        assertEquals(finalRows(a), finalRows(b), "same final values, attacked models included");

        List<RunResult.Row> curve = b.curve("unlearned", "unlearn", "forget", "exact_match");
        assertEquals(List.of(0L, 2L, 4L, 5L), curve.stream().map(RunResult.Row::step).toList());
        for (String metric : List.of("nll", "exact_match")) {
            List<RunResult.Row> c = b.curve("unlearned", "unlearn", "forget", metric);
            assertEquals(b.value("unlearned", Split.FORGET, metric), c.get(c.size() - 1).value(), 0.0,
                    "the last point is the final model");
            assertEquals(b.value("learned", Split.FORGET, metric), c.get(0).value(), 0.0,
                    "step 0 is the learned model");
        }
        List<RunResult.Row> relearn = b.curve("unlearned+relearn", "attack.relearn", "retain", "nll");
        assertEquals(List.of(0L, 2L, 3L), relearn.stream().map(RunResult.Row::step).toList());
        assertEquals(b.value("unlearned", Split.RETAIN, "nll"), relearn.get(0).value(), 0.0);
        assertEquals(b.value("unlearned+relearn", Split.RETAIN, "nll"), relearn.get(2).value(), 0.0);
        assertTrue(b.curve("unlearned", "unlearn", "world", "nll").isEmpty(), "default: forget and retain only");
        // 2 models x 2 splits x 4 answer metrics curves
        assertEquals(16, RunTables.stability(b).rowCount());
        assertTrue(RunTables.stability(a).isEmpty());
        tech.tablesaw.api.Table plotted = dev.lethe.report.Plots.curves(b, "exact_match");
        assertEquals(4 * 2 + 3 * 2, plotted.rowCount(), "unlearn: 4 points x 2 splits; relearn: 3 points x 2 splits");
        assertEquals("unlearned unlearn forget", plotted.stringColumn("curve").get(0));
    }

    private static List<RunResult.Row> finalRows(RunResult r) {
        return r.rows().stream().filter(RunResult.Row::isFinal).toList();
    }

    @Test
    void sequentialRequestsRunOneStagePerChunkAndKlToReferenceCoversEveryModelButTheReference() {
        List<String> stages = new ArrayList<>();
        RunResult r = small(Unlearning.of(Objectives.gradientAscent()).steps(3).batchSize(2).sequential(2),
                Evaluation.of(Suites.answers())).attack(Attacks.quantize(4)).run(e -> {
                    if (e instanceof RunEvent.StageStarted s) {
                        stages.add(s.stage());
                    }
                });
        assertEquals(List.of("learn", "reference", "unlearn.request1", "unlearn.request2", "evaluate", "attack"),
                stages);
        assertEquals(List.of("evaluate", "attack", "unlearn.request1", "unlearn.request2"),
                List.copyOf(new LinkedHashSet<>(r.rows().stream().map(RunResult.Row::stage).toList())));
        for (String stage : List.of("unlearn.request1", "unlearn.request2")) {
            List<RunResult.Row> point = r.curve("unlearned", stage, "forget", "nll");
            assertEquals(1, point.size());
            assertEquals(3L, point.get(0).step());
        }
        assertEquals(r.value("unlearned", Split.FORGET, "nll"),
                r.curve("unlearned", "unlearn.request2", "forget", "nll").get(0).value(), 0.0,
                "the model after the last request is the unlearned one");
        assertTrue(r.curve("unlearned", "unlearn.request1", "forget", "nll").get(0).value()
                != r.value("learned", Split.FORGET, "nll"));

        for (String model : List.of("learned", "unlearned", "unlearned+quantize4")) {
            for (Split split : List.of(Split.FORGET, Split.RETAIN)) {
                double kl = r.value(model, split, "kl_to_reference");
                assertTrue(kl > 0 && Double.isFinite(kl), model + " " + split + " " + kl);
            }
        }
        assertThrows(IllegalArgumentException.class, () -> r.value("reference", Split.FORGET, "kl_to_reference"));
    }

    @Test
    void requestsAreDisjointContiguousChunksCoveringTheForgetSplit() {
        List<QaExample> forget = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            forget.add(new QaExample("q" + i, "a" + i, "p" + i, "a" + i, List.of(), "s", "f"));
        }
        List<List<QaExample>> chunks = Streams.requests(forget, 3);
        assertEquals(List.of(3, 2, 2), chunks.stream().map(List::size).toList());
        assertEquals(forget, chunks.stream().flatMap(List::stream).toList());
        assertEquals(List.of(forget), Streams.requests(forget, 1));
        assertThrows(IllegalArgumentException.class, () -> Streams.requests(forget, 8));
    }

    @Test
    void everyTrainingStageOfAChainCanBeEvaluatedContinuallyAndEachStageLeavesItsOwnModel() {
        Continual every2 = new Continual(2, List.of(Suites.answers()), List.of(Split.FORGET));
        RunResult r = Lethe.recipe("chain").model(SMALL).data(new FictitiousFacts(8, 0.25, 2, 3, 2, 2))
                .stage(new Learn(Training.of(4).batchSize(8), List.of(Split.FORGET, Split.RETAIN, Split.WORLD),
                        Texts.BOTH, every2))
                .unlearn(Unlearning.of(Objectives.gradientAscent()).steps(3).batchSize(2))
                .stage(new Finetune(Training.of(3).batchSize(4), List.of(Split.RETAIN), Texts.ANSWERS, every2))
                .unlearn(Unlearning.of(Objectives.npo()).steps(2).batchSize(2).continual(every2))
                .evaluate(Evaluation.of(Suites.answers()))
                .seed(5).run(e -> { });
        assertEquals(List.of(0L, 2L, 4L), steps(r.curve("learned", "learn", "forget", "nll")));
        assertEquals(List.of(0L, 2L, 3L), steps(r.curve("finetuned", "finetune", "forget", "nll")));
        assertEquals(List.of(0L, 2L), steps(r.curve("unlearned-2", "unlearn-2", "forget", "nll")));
        assertTrue(r.curve("unlearned", "unlearn", "forget", "nll").isEmpty(), "no continual evaluation asked");
        assertEquals(r.value("unlearned", Split.FORGET, "nll"),
                r.curve("finetuned", "finetune", "forget", "nll").get(0).value(), 0.0,
                "fine-tuning starts from the unlearned model");
        assertEquals(r.value("finetuned", Split.FORGET, "nll"),
                r.curve("unlearned-2", "unlearn-2", "forget", "nll").get(0).value(), 0.0,
                "the second unlearning starts from the fine-tuned model");
        assertEquals(List.of("learned", "unlearned", "finetuned", "unlearned-2"), r.rows().stream()
                .filter(RunResult.Row::isFinal).map(RunResult.Row::model).distinct().toList());
        assertEquals(List.of(ModelRole.LEARNED, ModelRole.UNLEARNED, ModelRole.FINETUNED, ModelRole.UNLEARNED),
                List.copyOf(r.models().values()), "each model's role, in the order made");
        assertEquals(List.of("unlearned", "unlearned-2"), r.models(ModelRole.UNLEARNED));
    }

    @Test
    void oneContinualForTheWholePipelineCoversEveryTrainingStageAndFeedsMinAccAndWcAcc() {
        Continual every2 = new Continual(2, List.of(Suites.answers()), List.of(Split.FORGET, Split.RETAIN));
        dev.lethe.spec.Recipe base = Lethe.recipe("pipeline").model(SMALL)
                .data(new FictitiousFacts(8, 0.25, 2, 3, 2, 2))
                .learn(Training.of(4).batchSize(8))
                .unlearn(Unlearning.of(Objectives.gradientAscent()).steps(3).batchSize(2))
                .relearn(2, 2, 1e-3)
                .evaluate(Evaluation.of(Suites.answers()))
                .seed(5).build();
        dev.lethe.spec.Recipe recipe = base.continually(every2);
        assertEquals(recipe, Lethe.fromYaml(Lethe.toYaml(recipe)), "written per stage, read back the same");
        assertEquals(recipe, Lethe.fromYaml(Lethe.toYaml(base).replaceFirst("(?m)^stages:",
                "continual: {every: 2, splits: [forget, retain]}\nstages:")),
                "a top-level continual in a recipe file is the same recipe");
        RunResult r = Lethe.run(recipe, e -> { });
        assertEquals(List.of(0L, 2L, 4L), steps(r.curve("learned", "learn", "retain", "nll")));
        assertEquals(List.of(0L, 2L, 3L), steps(r.curve("unlearned", "unlearn", "retain", "nll")));
        assertEquals(List.of(0L, 2L), steps(r.curve("relearned", "relearn", "retain", "nll")));
        tech.tablesaw.api.Table c = RunTables.continual(r);
        List<Integer> tasks = c.intColumn("task").asList();
        assertEquals(List.of(1, 2, 3), tasks.stream().distinct().toList(), c.printAll());
        assertEquals(List.of("learn", "unlearn", "relearn"), c.stringColumn("stage").asList().stream().distinct()
                .toList());
        for (int i = 0; i < c.rowCount(); i++) {
            if (tasks.get(i) > 1) {
                assertTrue(Double.isFinite(c.doubleColumn("min_acc").get(i)), c.printAll());
            }
        }
    }

    private static List<Long> steps(List<RunResult.Row> curve) {
        return curve.stream().map(RunResult.Row::step).toList();
    }
}
