package dev.lethe.attack;

import dev.lethe.data.Dataset;
import dev.lethe.data.MultipleChoice;
import dev.lethe.data.QaExample;
import dev.lethe.data.Split;
import dev.lethe.data.SplitData;
import dev.lethe.part.Kind;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * Asks the forget questions in other words: every forget example's question is replaced by its
 * {@link QaExample#paraphrasedQuestion()}, and so is every forget multiple-choice question that asks an
 * example's question; passages and the other splits are unchanged. Unlearning that only suppresses the
 * trained surface form leaks under rephrasing (Lynch et al. 2024, "Eight Methods to Evaluate Robust
 * Unlearning in LLMs", arXiv:2402.16835; TOFU's paraphrased questions, Maini et al. 2024).
 */
public record ParaphrasePrompts() implements DataAttack {
    /** The attack {@code paraphrase}. */
    public static final Kind<ParaphrasePrompts> KIND = Kind.of("paraphrase", ParaphrasePrompts.class,
            "forget questions replaced by paraphrases", List.of(), a -> new ParaphrasePrompts());

    /** {@code paraphrase}. */
    @Override
    public String name() {
        return "paraphrase";
    }

    @Override
    public Dataset transform(Dataset data) {
        Map<String, String> paraphrase = new HashMap<>();
        for (QaExample e : data.get(Split.FORGET)) {
            paraphrase.putIfAbsent(e.question(), e.paraphrasedQuestion());
        }
        return rewriteForget(data,
                e -> new QaExample(e.paraphrasedQuestion(), e.answer(), e.paraphrasedQuestion(),
                        e.paraphrasedAnswer(), e.perturbedAnswers(), e.subject(), e.fact()),
                c -> new MultipleChoice(paraphrase.getOrDefault(c.question(), c.question()), c.options(), c.answer(),
                        c.subject(), c.fact()));
    }

    /**
     * {@code data} with every forget example rewritten by {@code rewrite} and every forget multiple-choice
     * question by {@code rewriteChoice}; the forget passages, MUSE's probes and the other splits are kept.
     */
    static Dataset rewriteForget(Dataset data, UnaryOperator<QaExample> rewrite,
            UnaryOperator<MultipleChoice> rewriteChoice) {
        SplitData forget = data.view(Split.FORGET);
        return data.with(new SplitData(Split.FORGET, forget.examples().stream().map(rewrite).toList(),
                forget.passages(), forget.choices().stream().map(rewriteChoice).toList(), forget.muse()));
    }
}
