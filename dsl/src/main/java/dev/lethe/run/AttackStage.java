package dev.lethe.run;

import dev.lethe.attack.Attack;
import dev.lethe.attack.AttackContext;
import dev.lethe.attack.Attacked;
import dev.lethe.data.BatchStream;
import dev.lethe.data.Split;
import dev.lethe.model.CausalLm;
import dev.lethe.objective.Nll;
import dev.lethe.result.RunEvent;
import dev.lethe.spec.Attacking;
import dev.lethe.spec.Evaluation;
import dev.lethe.spec.NamedStage;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code attack} stage: each attack is applied to the current model; the attacked model
 * {@code <current>+<attack>} is evaluated with the next evaluate stage's suites and splits (and, with a
 * reference, {@code kl_to_reference}) and closed before the next attack, so at most one attacked model is
 * alive. One progress event per attack; an attack's seed and a relearning attack's optimisation steps carry the
 * stage {@code <attack stage>.<attack>} ({@code attack.relearn}, or {@code attack-2.relearn} in a second attack
 * stage) and are not checkpointed: a resumed run repeats the stage.
 */
final class AttackStage {
    private AttackStage() {}

    static void run(NamedStage named, Attacking attacking, RunContext run) {
        CausalLm target = run.current();
        String targetName = run.currentName();
        Evaluation evaluation = run.recipe().evaluationAfter(named.index());
        List<Attack> attacks = attacking.attacks();
        String stage = named.name();
        run.emit(new RunEvent.StageStarted(stage, attacks.size()));
        long start = System.nanoTime();
        long done = 0;
        for (Attack a : attacks) {
            String attackedName = a.modelName(targetName);
            // this stage's name and the attack's: attack.relearn in the first attack stage, attack-2.relearn in a second
            String unit = stage + "." + a.name();
            AttackContext context = new AttackContext(run.data(), run.tokenizer(),
                    Seeds.derive(run.seed(), unit), (model, examples, batchSize, steps, optimizer) -> {
                        Map<Split, BatchStream> streams = new EnumMap<>(Split.class);
                        streams.put(Split.FORGET, Streams.of(unit + ".forget", run.seed(), examples, run.tokenizer(),
                                batchSize, model.spec().contextLength()));
                        return new TrainingLoop(run).run(TrainingLoop.Loop.of(unit, model, optimizer,
                                new Nll(Split.FORGET), streams, steps)
                                .withProbe(Probe.of(run, attackedName, unit, model, attacking.continual()))
                                .uncheckpointed());
                    });
            run.attacked(attackedName);
            try (Attacked attacked = a.apply(target, context)) {
                for (Split split : evaluation.splits()) {
                    run.measure(attackedName, dev.lethe.result.RunResult.ATTACK, 0, attacked.model(), evaluation, split,
                            attacked.data(), run.attackRows(), true);
                }
                run.attackRows().addAll(run.klRows(attackedName, dev.lethe.result.RunResult.ATTACK, attacked.model(),
                        attacked.data()));
            }
            done++;
            run.emit(new RunEvent.Progress(stage, done, attacks.size(), Double.NaN,
                    done / Math.max((System.nanoTime() - start) / 1e9, 1e-9)));
        }
        run.emit(new RunEvent.StageFinished(stage, (System.nanoTime() - start) / 1e9, done, "", false));
    }
}
