package dev.lethe.eval;

import dev.lethe.data.SplitData;
import dev.lethe.model.CausalLm;
import dev.lethe.model.Tokenizer;
import java.util.List;

/**
 * A group of metrics computed on one model and one split. A suite reads what it needs of the split's data
 * (question-answer examples, passages, multiple-choice questions) and returns nothing for a split that
 * lacks it.
 */
@FunctionalInterface
public interface Suite {
    /** The metrics of {@code model} on {@code data}, the examples, passages and choices of {@code data.split()}. */
    List<MetricValue> evaluate(CausalLm model, Tokenizer tokenizer, SplitData data);
}
