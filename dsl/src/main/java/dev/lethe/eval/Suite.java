package dev.lethe.eval;

import dev.lethe.data.QaExample;
import dev.lethe.data.Split;
import dev.lethe.model.CausalLm;
import dev.lethe.model.Tokenizer;
import java.util.List;

/** A group of metrics computed on one model and one split's examples. */
@FunctionalInterface
public interface Suite {
    /** The metrics of {@code model} on {@code examples}, which are the examples of {@code split}. */
    List<MetricValue> evaluate(CausalLm model, Tokenizer tokenizer, Split split, List<QaExample> examples);
}
