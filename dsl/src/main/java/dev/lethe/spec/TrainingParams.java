package dev.lethe.spec;

import static dev.lethe.part.ParamTypes.integer;
import static dev.lethe.part.ParamTypes.list;
import static dev.lethe.part.ParamTypes.longInteger;
import static dev.lethe.part.ParamTypes.struct;

import dev.lethe.data.Split;
import dev.lethe.data.Texts;
import dev.lethe.optim.Optimizer;
import dev.lethe.part.Args;
import dev.lethe.part.Param;
import dev.lethe.part.ParamTypes;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/** The parameters the training stages ({@link Learn}, {@link Finetune}, {@link Reference}) share in recipe files. */
final class TrainingParams {
    private TrainingParams() {}

    /**
     * {@code steps}, {@code batch_size}, {@code accumulate}, {@code max_length}, {@code optimizer}, {@code splits}
     * (default {@code splits}), {@code train_on}
     * (default both), then {@code more}, then {@code continual}; read back from a stage {@code S} with its accessors.
     */
    static <S extends Stage> List<Param> of(List<Split> splits, Function<S, Training> training,
            Function<S, List<Split>> stageSplits, Function<S, Texts> texts, Param... more) {
        List<Param> out = new ArrayList<>(List.of(
                Param.required("steps", longInteger(0), "optimisation steps", (S s) -> training.apply(s).steps()),
                Param.of("batch_size", integer(1), 32, "examples per step, shared by the splits by their sizes",
                        (S s) -> training.apply(s).batchSize()),
                Param.of("accumulate", integer(1), 1, "micro-batches each step's batch is cut into, their "
                        + "gradients summed before one update (the same step, a micro-batch's memory)",
                        (S s) -> training.apply(s).accumulate()),
                Param.optional("max_length", integer(2), "the longest training sequence in tokens, longer ones cut "
                        + "at the end (absent: the model's context length)",
                        (S s) -> training.apply(s).maxLength() == 0 ? null : training.apply(s).maxLength()),
                Param.optional("optimizer", struct(Optimizer.KIND),
                        "default: AdamW, lr 3e-3 with 5 % warm-up and linear decay, weight decay 0.01",
                        (S s) -> training.apply(s).optimizer()),
                Param.of("splits", list(Split.TYPE, 1), splits, "the splits trained on", stageSplits),
                Param.of("train_on", ParamTypes.choice(Texts.class), Texts.BOTH,
                        "answers (question-answer pairs), passages, or both", texts)));
        out.addAll(List.of(more));
        out.add(continual());
        return out;
    }

    /** The optional {@code continual} evaluation of a stage. */
    static Param continual() {
        return Param.optional("continual", struct(Continual.KIND), "continual evaluation during the stage (absent: none)",
                Stage::continual);
    }

    /** The training the parameters describe: {@link Training#of} with the given batch size and optimizer. */
    static Training training(Args a) {
        Integer maxLength = a.get("max_length");
        Training t = Training.of(a.longInteger("steps")).batchSize(a.integer("batch_size"))
                .accumulate(a.integer("accumulate")).maxLength(maxLength == null ? 0 : maxLength);
        Optimizer o = a.get("optimizer");
        return o == null ? t : t.optimizer(o);
    }
}
