package dev.lethe.examples;

import static dev.lethe.objective.Objectives.nll;
import static dev.lethe.objective.Objectives.npo;
import static dev.lethe.optim.Optimizers.adamW;

import dev.lethe.Lethe;
import dev.lethe.attack.Attacks;
import dev.lethe.data.FictitiousFacts;
import dev.lethe.data.Split;
import dev.lethe.model.GptConfig;
import dev.lethe.report.RunTables;
import dev.lethe.result.RunResult;
import dev.lethe.run.ConsoleProgress;
import dev.lethe.spec.Training;
import dev.lethe.spec.Unlearning;

/**
 * The quickstart recipe written out in Java: learn 50 fictitious people, retrain a reference without the
 * forget people, unlearn with NPO plus the retain NLL, attack the unlearned model (int8 and int4
 * quantization, relearning on five forget examples, paraphrased questions), and print the tables.
 */
public final class QuickstartExample {
    private QuickstartExample() {}

    /** Runs the recipe and prints its summary table and what each attack changed. */
    public static void main(String[] args) {
        RunResult result = Lethe.recipe("quickstart-java")
                .model(GptConfig.tiny())
                .data(FictitiousFacts.of(50, 0.1))
                .learn(Training.of(1000))
                .reference()
                .unlearn(Unlearning.of(npo().plus(nll(Split.RETAIN, Split.WORLD))).optimizer(adamW(1e-3)).steps(200))
                .attack(Attacks.quantize(8))
                .attack(Attacks.quantize(4))
                .attack(Attacks.relearn(20, 5, 1e-3))
                .attack(Attacks.paraphrase())
                .seed(42)
                .run(ConsoleProgress.toStandardError());
        System.out.println(RunTables.summary(result).printAll());
        System.out.println(RunTables.attackDeltas(result).printAll());
    }
}
