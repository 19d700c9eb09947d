package dev.lethe.run;

import dev.lethe.Lethe;
import dev.lethe.Quickstart;
import dev.lethe.attack.Attacks;
import dev.lethe.data.Split;
import dev.lethe.eval.Suite;
import dev.lethe.eval.Suites;
import dev.lethe.objective.Objectives;
import dev.lethe.optim.Optimizers;
import dev.lethe.report.RunTables;
import dev.lethe.result.RunEvent;
import dev.lethe.result.RunResult;
import dev.lethe.spec.Attacking;
import dev.lethe.spec.Continual;
import dev.lethe.spec.Evaluation;
import dev.lethe.spec.Learn;
import dev.lethe.spec.Recipe;
import dev.lethe.spec.Unlearning;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Not a test: the figures of issue 4 on the quickstart models (learn/reference from the model cache).
 * {@code eval} times the evaluate stage per suite; {@code attacks} runs GA and NPO (200 steps; with {@code more}:
 * the quickstart's NPO+RT and 30 steps of GA) each followed by relearning and int4 quantization; {@code continual}
 * prints the stability table of the quickstart evaluated every 20 steps. Run with the test classpath: {@code java ... QuickstartFigures eval attacks}.
 */
final class QuickstartFigures {
    private QuickstartFigures() {}

    /** Wraps a suite and adds its wall time to {@code seconds}. */
    private static Suite timed(String name, Suite suite, Map<String, Double> seconds) {
        return Suite.of(suite.metrics(), (model, tokenizer, data) -> {
            long start = System.nanoTime();
            try {
                return suite.evaluate(model, tokenizer, data);
            } finally {
                seconds.merge(name, (System.nanoTime() - start) / 1e9, Double::sum);
            }
        });
    }

    public static void main(String[] args) {
        Path cache = Path.of(System.getProperty("user.home"), ".cache", "lethe", "models");
        Recipe q = Quickstart.recipe();
        List<String> what = List.of(args);
        if (what.contains("eval")) {
            Map<String, Double> seconds = new LinkedHashMap<>();
            Evaluation timedSuites = new Evaluation(List.of(timed("answers", Suites.answers(), seconds),
                    timed("tofu", Suites.tofu(), seconds), timed("privacy", Suites.privacy(), seconds)),
                    List.of(Split.values()));
            Recipe r = Lethe.recipe(q.name()).model(q.model()).data(q.data()).learn(q.first(Learn.class).training())
                    .reference().unlearn(q.first(Unlearning.class)).evaluate(timedSuites).seed(q.seed()).build();
            RunResult result = Runner.of(r).cache(cache).listener(e -> {
                if (e instanceof RunEvent.StageFinished f) {
                    System.out.printf("stage %s: %.1f s (%d steps, cached %s)%n", f.stage(), f.seconds(), f.stepsDone(),
                            f.cached());
                }
            }).run();
            System.out.println("evaluate seconds per suite (3 models x 4 splits): " + seconds);
            System.out.println(RunTables.summary(result).printAll());
        }
        if (what.contains("continual")) {
            Recipe r = Lethe.recipe(q.name()).model(q.model()).data(q.data()).learn(q.first(Learn.class).training())
                    .reference().unlearn(q.first(Unlearning.class).every(20))
                    .stage(new Attacking(List.of(Attacks.relearn(20, 5, 1e-3)), Continual.every(20)))
                    .evaluate(Evaluation.of(Suites.answers())).seed(q.seed()).build();
            RunResult result = Runner.of(r).cache(cache).run();
            System.out.println(RunTables.stability(result).printAll());
        }
        if (what.contains("attacks")) {
            List<String> runs = what.contains("more") ? List.of("npo+rt", "ga30") : List.of("ga", "npo");
            for (String name : runs) {
                Unlearning u = switch (name) {
                    case "ga" -> Unlearning.of(Objectives.gradientAscent()).optimizer(Optimizers.adamW(1e-3))
                            .steps(q.first(Unlearning.class).steps());
                    case "ga30" -> Unlearning.of(Objectives.gradientAscent()).optimizer(Optimizers.adamW(1e-3))
                            .steps(30);
                    case "npo" -> Unlearning.of(Objectives.npo()).optimizer(Optimizers.adamW(1e-3))
                            .steps(q.first(Unlearning.class).steps());
                    default -> q.first(Unlearning.class); // the quickstart's NPO + NLL(retain ∪ world)
                };
                Recipe r = Lethe.recipe("quickstart-" + name).model(q.model()).data(q.data()).learn(q.first(Learn.class).training())
                        .reference().unlearn(u).robustness(Attacks.relearn(20, 5, 1e-3), Attacks.quantize(4))
                        .evaluate(Evaluation.defaults()).seed(q.seed()).build();
                long start = System.nanoTime();
                RunResult result = Runner.of(r).cache(cache).run();
                System.out.printf("%n== %s (%.0f s) ==%n", name, (System.nanoTime() - start) / 1e9);
                for (String model : List.of("learned", "reference", "unlearned", "unlearned+relearn",
                        "unlearned+quantize4")) {
                    System.out.printf("%-20s forget EM %.4f  forget prob %.4f  model_utility %.4f  forget_quality %.4g"
                            + "  KL forget %.4f  KL retain %.4f%n", model,
                            result.value(model, Split.FORGET, "exact_match"),
                            result.value(model, Split.FORGET, "probability"),
                            result.value(model, dev.lethe.eval.ModelUtility.SPAN, "model_utility"),
                            result.value(model, Split.FORGET, "forget_quality"),
                            model.equals("reference") ? 0.0 : result.value(model, Split.FORGET, "kl_to_reference"),
                            model.equals("reference") ? 0.0 : result.value(model, Split.RETAIN, "kl_to_reference"));
                }
                tech.tablesaw.api.Table d = RunTables.attackDeltas(result);
                System.out.println(d.where(d.stringColumn("metric").isIn("exact_match", "probability",
                        "model_utility", "forget_quality", "kl_to_reference")).printAll());
            }
        }
    }
}
