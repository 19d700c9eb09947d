package dev.lethe.run;

import dev.lethe.adapter.Adapters;
import dev.lethe.data.BatchStream;
import dev.lethe.data.Passage;
import dev.lethe.data.QaExample;
import dev.lethe.data.Split;
import dev.lethe.model.CausalLm;
import dev.lethe.spec.AcuUnlearning;
import dev.lethe.spec.Evaluation;
import dev.lethe.spec.GuardIt;
import dev.lethe.spec.NamedStage;
import dev.lethe.spec.Stage;
import dev.lethe.spec.Unlearning;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The {@code unlearn} stage: a copy of the current model minimises the objective, request after request
 * ({@link Unlearning#requests()}), each request a unit of its own ({@code unlearn.request<i>}, or just the
 * stage's name with one request) that is checkpointed when it ends; the frozen reference of NPO-like
 * objectives is a copy of the model the stage started from. A resumed stage loads the model of its last
 * finished request and goes on with the next.
 */
final class UnlearnStage {
    private UnlearnStage() {}

    static void run(NamedStage named, Unlearning unlearning, RunContext run) {
        String modelName = Objects.requireNonNull(named.model());
        CausalLm start = run.current();
        CausalLm model = start.copy();
        int requests = unlearning.requests();
        int first = restore(named, model, modelName, requests, unlearning.steps(), run);
        if (first > 0 && (first == requests || stopped(unit(named, first - 1, requests), run))) {
            run.add(named, model);
            return;
        }
        List<List<QaExample>> chunks = Streams.requests(run.data().get(Split.FORGET), requests);
        try (FrozenCopy reference = new FrozenCopy(start, run.reference(), run.attribution())) {
            for (int r = first; r < requests; r++) {
                String unit = unit(named, r, requests);
                List<Passage> forgetPassages = unlearning.trainOn().passages()
                        ? Streams.requestPassages(run.data().passages(Split.FORGET), chunks, r) : List.of();
                Map<Split, BatchStream> streams = Streams.perSplit(unit, run.seed(), run.data(), run.tokenizer(),
                        unlearning.batchSize(), Streams.maxLength(unlearning.maxLength(), model.spec().contextLength()),
                        unlearning.trainOn(), chunks.get(r),
                        forgetPassages);
                // with adapters, each request trains fresh adapters on the current model and merges them back
                Adapters.train(model, unlearning.adapters(), run.data(), run.tokenizer(), unlearning.batchSize(),
                        Seeds.derive(run.seed(), (r == 0 ? named.name() : unit) + ".adapters"),
                        trained -> new TrainingLoop(run).run(TrainingLoop.Loop.of(unit, trained,
                                        unlearning.optimizer(), unlearning.objective(), streams, unlearning.steps())
                                .withReference(reference)
                                .withProbe(Probe.of(run, modelName, unit, trained, unlearning.continual()))
                                .withGuard(unlearning.divergeAbove(), unlearning.precision())
                                .withAccumulation(unlearning.accumulate())));
                if (requests > 1 && unlearning.continual() == null) {
                    Evaluation e = run.recipe().evaluationAfter(named.index());
                    long step = run.lastFinished(unit).stepsDone();
                    for (Split split : e.splits()) {
                        run.measure(modelName, unit, step, model, e, split, run.data(), run.curves(), false);
                    }
                }
                run.unitDone(unit, modelName, model);
                if (stopped(unit, run)) {
                    break;
                }
            }
        }
        run.add(named, model);
    }

    /**
     * How many units (requests) a training stage runs as, each checkpointed when it ends: a sequential unlearning's
     * (gradient or analytic) requests, 1 for any other stage.
     */
    static int requests(Stage stage) {
        if (stage instanceof Unlearning u) {
            return u.requests();
        }
        if (stage instanceof GuardIt g) {
            return g.requests();
        }
        return stage instanceof AcuUnlearning a ? a.requests() : 1;
    }

    /** Request {@code r}'s unit name: the stage's name with one request, {@code <stage>.request<r+1>} with several. */
    static String unit(NamedStage named, int r, int requests) {
        return requests == 1 ? named.name() : named.name() + ".request" + (r + 1);
    }

    /** Whether a numeric guard stopped {@code unit}. */
    private static boolean stopped(String unit, RunContext run) {
        return !run.lastFinished(unit).stopReason().isEmpty();
    }

    /**
     * Sets {@code model} to the model of the last request the checkpoints hold as finished, if any, and replays
     * those requests' events; returns how many requests are done.
     */
    private static int restore(NamedStage named, CausalLm model, String modelName, int requests, long steps,
            RunContext run) {
        Checkpoints checkpoints = run.checkpoints();
        String file = run.restored().models().get(modelName);
        if (file == null || checkpoints == null) {
            return 0;
        }
        int done = 0;
        while (done < requests && run.restored().finished(unit(named, done, requests)) != null) {
            done++;
        }
        if (done == 0) {
            return 0;
        }
        try (CausalLm saved = checkpoints.loadModel(file, model.spec(), model.device())) {
            model.weights().assign(saved.weights().asMap(), file);
        }
        for (int r = 0; r < done; r++) {
            run.replayFinished(unit(named, r, requests), steps);
        }
        return done;
    }
}
