package dev.lethe.run;

import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import dev.lethe.data.Encoded;
import dev.lethe.data.QaExample;
import dev.lethe.data.Split;
import dev.lethe.model.AnalyticHead;
import dev.lethe.model.CausalLm;
import dev.lethe.model.Tokenizer;
import dev.lethe.result.RunEvent;
import dev.lethe.spec.AcuLearning;
import dev.lethe.spec.AcuUnlearning;
import dev.lethe.spec.Evaluation;
import dev.lethe.spec.NamedStage;
import dev.lethe.util.Printable;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The {@code acu_learn} and {@code acu_unlearn} stages (ACU, Tang et al. 2025, arXiv 2505.12239): closed-form, no
 * training loop. Each is one unit per request ({@code acu_learn}; {@code acu_unlearn}, or
 * {@code acu_unlearn.request<i>} with several), of one "step", checkpointed when it ends with its model, whose file
 * holds the analytic head's R and W in float64 and its members ({@link CausalLm#save}), so a resumed run goes on from
 * the same bits. The random expansion's seed derives from the recipe's seed and the stage's name.
 *
 * <p>Every example is encoded as the training stages encode it ({@link Streams#answers}, cut to the context) and
 * run alone through the frozen backbone ({@link AnalyticHead#sample}); learning and forgetting take one recursive
 * update per example, in the split's order.
 */
final class AcuStage {
    private AcuStage() {}

    static void learn(NamedStage named, AcuLearning stage, RunContext run) {
        String unit = named.name();
        String modelName = Objects.requireNonNull(named.model());
        CausalLm model = run.finishedModel(named, 1);
        if (model == null) {
            long start = System.nanoTime();
            run.emit(new RunEvent.StageStarted(unit, 1));
            CausalLm current = run.current();
            AnalyticHead head = headFor(unit, stage, current, Seeds.derive(run.seed(), unit + ".expansion"), run);
            List<AnalyticHead.Sample> samples = new ArrayList<>();
            for (Split split : stage.splits()) {
                for (Encoded e : Streams.answers(unit, split, run.tokenizer(), run.data().get(split),
                        current.spec().contextLength())) {
                    samples.add(sample(head, current, run.tokenizer(), e));
                }
            }
            model = current.withHead(head.learn(samples));
            run.emit(new RunEvent.StageFinished(unit, (System.nanoTime() - start) / 1e9, 1, "", false));
            run.unitDone(unit, modelName, model);
        }
        run.add(named, model);
    }

    /** The current model's head, to go on learning with, or a new one; refused when its settings differ. */
    private static AnalyticHead headFor(String unit, AcuLearning stage, CausalLm current, long seed, RunContext run) {
        int layer = stage.layerOf(current.architecture().blocks());
        AnalyticHead head = current.head();
        if (head == null) {
            return AnalyticHead.start(layer, width(current, layer, run.tokenizer()), stage.expansion(), seed,
                    stage.gamma(), stage.scale());
        }
        if (head.layer() != layer || head.expansion() != stage.expansion() || head.ridge().gamma() != stage.gamma()
                || head.scale() != stage.scale()) {
            throw new IllegalArgumentException("stage " + unit + " goes on learning with the current model's analytic "
                    + "head (layer " + head.layer() + ", expansion " + head.expansion() + ", gamma "
                    + head.ridge().gamma() + ", scale " + head.scale() + "), but asks for layer " + layer
                    + ", expansion " + stage.expansion() + ", gamma " + stage.gamma() + ", scale " + stage.scale()
                    + ": give it the head's settings");
        }
        return head;
    }

    /** The width of the residual stream after block {@code layer}, read from one forward pass of {@code <bos>}. */
    private static int width(CausalLm model, int layer, Tokenizer tokenizer) {
        try (NDScope scope = new NDScope()) {
            var bos = model.manager().create(new long[] {tokenizer.bosId()}, new Shape(1, 1));
            return Math.toIntExact(model.forward(bos, false, true).hidden(layer).getShape().get(2));
        }
    }

    /** {@code e}'s rows: the input {@code <bos>} prompt answer, the targets answer (and {@code <eos>}). */
    private static AnalyticHead.Sample sample(AnalyticHead head, CausalLm model, Tokenizer tokenizer, Encoded e) {
        int[] seq = new int[e.inputLength() + 1];
        seq[0] = tokenizer.bosId();
        System.arraycopy(e.prompt(), 0, seq, 1, e.prompt().length);
        System.arraycopy(e.answer(), 0, seq, 1 + e.prompt().length, e.answer().length);
        if (e.closed()) {
            seq[seq.length - 1] = tokenizer.eosId();
        }
        int first = e.prompt().length;
        int[] targets = java.util.Arrays.copyOfRange(seq, first + 1, first + 1 + e.answerTargets());
        return head.sample(model, java.util.Arrays.copyOf(seq, seq.length - 1), first, targets);
    }

    static void unlearn(NamedStage named, AcuUnlearning stage, RunContext run) {
        String modelName = Objects.requireNonNull(named.model());
        CausalLm start = run.current();
        if (start.head() == null) {
            throw new IllegalArgumentException("stage " + named.name() + ": the current model, " + run.currentName()
                    + ", has no analytic head to forget from: an acu_learn stage must make it (a learn or reference "
                    + "stage in between replaces the current model with one that has none)");
        }
        int requests = stage.requests();
        CausalLm model = start;
        int first = restore(named, requests, run);
        if (first > 0) {
            String file = Objects.requireNonNull(run.restored().models().get(modelName));
            model = Objects.requireNonNull(run.checkpoints()).loadModel(file, start.spec(), start.device());
        }
        List<List<QaExample>> chunks = Streams.requests(run.data().get(Split.FORGET), requests);
        int offset = 0;
        for (int r = 0; r < first; r++) {
            offset += chunks.get(r).size();
        }
        for (int r = first; r < requests; r++) {
            String unit = UnlearnStage.unit(named, r, requests);
            long begin = System.nanoTime();
            run.emit(new RunEvent.StageStarted(unit, 1));
            List<QaExample> chunk = chunks.get(r);
            AnalyticHead head = Objects.requireNonNull(model.head());
            List<AnalyticHead.Sample> samples = new ArrayList<>();
            for (Encoded e : Streams.answers(unit, Split.FORGET, run.tokenizer(), chunk,
                    model.spec().contextLength())) {
                samples.add(sample(head, model, run.tokenizer(), e));
            }
            int from = offset;
            AnalyticHead forgotten = head.forget(samples, i -> "stage " + unit + ": forget example " + (from + i)
                    + " ('" + Printable.escape(chunk.get(i).question()) + "')");
            CausalLm next = model.withHead(forgotten);
            if (model != start) {
                model.close();
            }
            model = next;
            offset += chunk.size();
            run.emit(new RunEvent.StageFinished(unit, (System.nanoTime() - begin) / 1e9, 1, "", false));
            if (requests > 1) {
                Evaluation e = run.recipe().evaluationAfter(named.index());
                for (Split split : e.splits()) {
                    run.measure(modelName, unit, 1, model, e, split, run.data(), run.curves(), false);
                }
            }
            run.unitDone(unit, modelName, model);
        }
        run.add(named, model);
    }

    /** How many requests the checkpoints hold as finished (their events replayed). */
    private static int restore(NamedStage named, int requests, RunContext run) {
        if (run.checkpoints() == null || run.restored().models().get(named.model()) == null) {
            return 0;
        }
        int done = 0;
        while (done < requests && run.restored().finished(UnlearnStage.unit(named, done, requests)) != null) {
            run.replayFinished(UnlearnStage.unit(named, done, requests), 1);
            done++;
        }
        return done;
    }
}
