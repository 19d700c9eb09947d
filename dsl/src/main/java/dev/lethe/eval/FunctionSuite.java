package dev.lethe.eval;

import dev.lethe.data.SplitData;
import dev.lethe.model.CausalLm;
import dev.lethe.model.Tokenizer;
import java.util.List;

/**
 * The suite of {@link Suite#of}: declared metrics and a function that computes them.
 *
 * @param metrics the declared metrics
 * @param evaluator what computes them
 */
record FunctionSuite(List<Metric> metrics, Suite.Evaluator evaluator) implements Suite {

    /** Copies the metrics and checks that no two share a name. */
    FunctionSuite {
        metrics = List.copyOf(metrics);
        Metric.byName(metrics);
    }

    /**
     * {@inheritDoc}
     *
     * @throws IllegalStateException when the evaluator returns a metric that was not declared
     */
    @Override
    public List<MetricValue> evaluate(CausalLm model, Tokenizer tokenizer, SplitData data) {
        List<MetricValue> values = evaluator.evaluate(model, tokenizer, data);
        for (MetricValue v : values) {
            if (!metrics.contains(v.metric())) {
                throw new IllegalStateException("the suite returned " + v.metric() + ", which it did not declare; "
                        + "declared: " + metrics.stream().map(Metric::name).toList());
            }
        }
        return values;
    }
}
