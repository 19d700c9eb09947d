package dev.lethe.eval;

import dev.lethe.data.SplitData;
import dev.lethe.model.CausalLm;
import dev.lethe.model.Tokenizer;
import dev.lethe.part.Slot;
import java.util.List;

/**
 * A group of metrics computed on one model and one split. A suite declares the metrics it can produce
 * ({@link #metrics()}), reads what it needs of the split's data (question-answer examples, passages,
 * multiple-choice questions) and returns nothing for a split that lacks it.
 *
 * <p>A suite written as a lambda is given its metrics with {@link #of}:
 * <pre>{@code
 * Metric answerLength = new Metric("answer_length", Metric.Direction.HIGHER_KNOWS_MORE, Metric.Scope.PER_SPLIT,
 *         "mean answer length in characters");
 * Suite lengths = Suite.of(List.of(answerLength), (model, tokenizer, data) -> List.of(new MetricValue(answerLength,
 *         data.examples().stream().mapToInt(e -> e.answer().length()).average().orElse(Double.NaN))));
 * }</pre>
 */
public interface Suite {
    /** The slot of recipe files that holds Suite: evaluation suites. */
    Slot<Suite> SLOT = new Slot<>("suite", Suite.class);

    /** Every metric this suite can return, in the order it returns them; a run reads their direction and scope. */
    List<Metric> metrics();

    /**
     * The metrics of {@code model} on {@code data}, the examples, passages and choices of {@code data.split()};
     * each one of {@link #metrics()}.
     */
    List<MetricValue> evaluate(CausalLm model, Tokenizer tokenizer, SplitData data);

    /** What a lambda suite computes: {@link Suite#evaluate} without the declaration of its metrics. */
    @FunctionalInterface
    interface Evaluator {
        /** The metrics of {@code model} on {@code data}. */
        List<MetricValue> evaluate(CausalLm model, Tokenizer tokenizer, SplitData data);
    }

    /**
     * A suite that declares {@code metrics} and computes them with {@code evaluator}; it fails on a value
     * of a metric it did not declare.
     */
    static Suite of(List<Metric> metrics, Evaluator evaluator) {
        return new FunctionSuite(metrics, evaluator);
    }
}
