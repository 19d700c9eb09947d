package dev.lethe.spec;

import dev.lethe.part.Kind;
import java.util.List;

/** The stage slot's vocabulary: every kind of {@link Stage}, in the order {@code lethe list} shows them. */
public final class Stages {
    private Stages() {}

    /** The built-in stage kinds. */
    public static final List<Kind<? extends Stage>> KINDS = List.of(Learn.KIND, Finetune.KIND, Reference.KIND,
            Attribution.KIND, Unlearning.KIND, GuardIt.KIND, AcuLearning.KIND, AcuUnlearning.KIND, Relearning.KIND,
            Attacking.KIND, Evaluation.KIND, Save.KIND);
}
