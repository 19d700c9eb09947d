package dev.lethe.attack;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lethe.Lethe;
import dev.lethe.data.FictitiousFacts;
import dev.lethe.data.Split;
import dev.lethe.model.CausalLm;
import dev.lethe.model.GptConfig;
import dev.lethe.objective.Objectives;
import dev.lethe.report.RunTables;
import dev.lethe.result.RunEvent;
import dev.lethe.result.RunResult;
import dev.lethe.run.Runner;
import dev.lethe.spec.Attacking;
import dev.lethe.spec.Evaluation;
import dev.lethe.spec.Recipe;
import dev.lethe.spec.Training;
import dev.lethe.spec.Unlearning;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import tech.tablesaw.api.Table;

class AttackRunTest {
    private static final GptConfig SMALL = new GptConfig(0, 2, 32, 2, 32, 0f);

    /** Delegates to {@code inner} and checks that the model it was given is bit-identical afterwards. */
    private record Checked(Attack inner, List<String> checked) implements Attack {
        @Override
        public String name() {
            return inner.name();
        }

        @Override
        public Attacked apply(CausalLm model, AttackContext context) {
            Map<String, float[]> before = WeightAttacksTest.snapshot(model.weights());
            Attacked out = inner.apply(model, context);
            Map<String, float[]> after = WeightAttacksTest.snapshot(model.weights());
            before.forEach((n, w) -> assertArrayEquals(w, after.get(n), 0f, name() + " modified " + n));
            checked.add(name());
            return out;
        }
    }

    @Test
    void aRunWithAttacksEvaluatesEachAttackedModelAndRelearningBringsTheForgetSetBack() {
        List<String> checked = new ArrayList<>();
        List<Attack> attacks = List.of(Attacks.quantize(8), Attacks.quantize(4), Attacks.prune(0.3),
                Attacks.relearn(10, 2, 1e-3), Attacks.paraphrase(), Attacks.jailbreak());
        Lethe.RecipeStep step = Lethe.recipe("small")
                .model(SMALL)
                .data(new FictitiousFacts(8, 0.25, 2, 3, 2, 2))
                .learn(Training.of(150).batchSize(8))
                .reference()
                .unlearn(Unlearning.of(Objectives.gradientAscent()).steps(15).batchSize(4))
                .seed(5);
        for (Attack a : attacks) {
            step = step.attack(new Checked(a, checked));
        }
        Recipe recipe = step.build();
        List<RunEvent> events = new ArrayList<>();
        RunResult r = Runner.of(recipe).listener(events::add).run();
        assertTrue(r.stopReasons().isEmpty(), r.stopReasons().toString());
        assertEquals(attacks.stream().map(Attack::name).toList(), checked, "every attack left unlearned bit-identical");

        Set<String> models = new LinkedHashSet<>(r.table().stringColumn("model").asList());
        assertEquals(List.of("learned", "reference", "unlearned", "unlearned+quantize8", "unlearned+quantize4",
                "unlearned+prune30", "unlearned+relearn", "unlearned+paraphrase", "unlearned+jailbreak"),
                List.copyOf(models));

        double unlearned = r.value("unlearned", Split.FORGET, "nll");
        double relearned = r.value("unlearned+relearn", Split.FORGET, "nll");
        double learned = r.value("learned", Split.FORGET, "nll");
        System.out.printf("forget nll: learned %.4f, unlearned %.4f, relearned %.4f; int8 %.4f, int4 %.4f, "
                + "prune30 %.4f, paraphrase %.4f, jailbreak %.4f%n", learned, unlearned, relearned,
                r.value("unlearned+quantize8", Split.FORGET, "nll"), r.value("unlearned+quantize4", Split.FORGET, "nll"),
                r.value("unlearned+prune30", Split.FORGET, "nll"), r.value("unlearned+paraphrase", Split.FORGET, "nll"),
                r.value("unlearned+jailbreak", Split.FORGET, "nll"));
        assertTrue(relearned < unlearned, "relearning lowers the forget NLL: " + unlearned + " -> " + relearned);
        assertEquals(r.value("unlearned", Split.RETAIN, "nll"), r.value("unlearned+paraphrase", Split.RETAIN, "nll"), 0.0,
                "a prompt attack on forget leaves retain as it was");

        Table deltas = RunTables.attackDeltas(r);
        System.out.println(deltas.where(deltas.stringColumn("metric").isEqualTo("nll")).printAll());
        long attackedRows = r.table().stringColumn("model").asList().stream().filter(m -> m.startsWith("unlearned+")).count();
        assertEquals(attackedRows, deltas.rowCount());
        assertEquals(List.of("quantize8", "quantize4", "prune30", "relearn", "paraphrase", "jailbreak"),
                List.copyOf(new LinkedHashSet<>(deltas.stringColumn("attack").asList())));
        for (int i = 0; i < deltas.rowCount(); i++) {
            String attack = deltas.stringColumn("attack").get(i);
            String split = deltas.stringColumn("split").get(i);
            String metric = deltas.stringColumn("metric").get(i);
            assertEquals(r.value("unlearned", split, metric), deltas.doubleColumn("before").get(i), 0.0);
            assertEquals(r.value("unlearned+" + attack, split, metric), deltas.doubleColumn("after").get(i), 0.0);
            assertEquals(deltas.doubleColumn("after").get(i) - deltas.doubleColumn("before").get(i),
                    deltas.doubleColumn("delta").get(i), 0.0);
        }
        assertTrue(deltas.stringColumn("metric").asList().contains("forget_quality"), "cross-model metrics too");

        assertTrue(events.contains(new RunEvent.StageStarted("attack", attacks.size())));
        assertEquals(attacks.size(), events.stream().filter(e -> e instanceof RunEvent.Progress p
                && p.stage().equals("attack")).count());
        assertEquals(10, events.stream().filter(e -> e instanceof RunEvent.Progress p
                && p.stage().equals("attack.relearn")).count());
        List<String> stages = events.stream().filter(e -> e instanceof RunEvent.StageStarted).map(RunEvent::stage).toList();
        assertEquals(List.of("learn", "reference", "unlearn", "attack", "attack.relearn", "evaluate"), stages);
    }

    @Test
    void recipesWithoutAttacksStillBuildAndTwoAttacksMayNotShareAName() {
        Recipe plain = Lethe.recipe("x").model(SMALL).data(FictitiousFacts.of(4, 0.25)).build();
        assertEquals(List.of(Evaluation.defaults()), plain.stages());
        Recipe attacked = Lethe.recipe("x").model(SMALL).data(FictitiousFacts.of(4, 0.25))
                .attack(Attacks.quantize(4)).attack(Attacks.prune(0.5)).build();
        assertEquals(List.of(Attacking.of(Attacks.quantize(4), Attacks.prune(0.5)), Evaluation.defaults()),
                attacked.stages(), "consecutive attack calls fill one attack stage");
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> Attacking.of(Attacks.quantize(4)).plus(Attacks.quantize(4)));
    }

    @Test
    void twoAttackStagesAttackTheModelCurrentAtEachAndKeepTheirRelearningApart() {
        List<String> started = new ArrayList<>();
        RunResult r = Lethe.recipe("twice").model(SMALL).data(new FictitiousFacts(8, 0.25, 2, 3, 2, 2))
                .learn(Training.of(20).batchSize(8))
                .attack(Attacks.relearn(2, 2, 1e-3))
                .unlearn(Unlearning.of(Objectives.gradientAscent()).steps(3).batchSize(2))
                .attack(Attacks.relearn(2, 2, 1e-3))
                .evaluate(Evaluation.of(dev.lethe.eval.Suites.answers()))
                .seed(5).run(e -> {
                    if (e instanceof RunEvent.StageStarted s) {
                        started.add(s.stage());
                    }
                });
        assertEquals(List.of("learn", "attack", "attack.relearn", "unlearn", "attack-2", "attack-2.relearn",
                "evaluate"), started);
        Table deltas = RunTables.attackDeltas(r);
        assertEquals("twice (attacks on learned, unlearned)", deltas.name());
        assertEquals(Set.of("learned+relearn", "unlearned+relearn"), Set.copyOf(deltas.stringColumn("attack").asList()));
    }
}
