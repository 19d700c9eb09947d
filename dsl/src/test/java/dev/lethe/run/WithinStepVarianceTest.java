package dev.lethe.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import dev.lethe.data.BatchStream;
import dev.lethe.data.Dataset;
import dev.lethe.data.Encoded;
import dev.lethe.data.FictitiousFacts;
import dev.lethe.data.Split;
import dev.lethe.model.CausalLm;
import dev.lethe.model.GptConfig;
import dev.lethe.model.Precision;
import dev.lethe.model.Tokenizer;
import dev.lethe.objective.Objective;
import dev.lethe.objective.Objectives;
import dev.lethe.optim.LossOracle;
import dev.lethe.optim.Updates;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The within-step gradient variance of {@link MicroBatches} (for {@code scale_by_snr}'s {@code within_step}
 * noise): with one row per micro-batch, g_i = ∇ℓ_i and g = (1/k)Σ g_i, the definition
 * σ² = Σ_i ‖g_i − g‖² / (k(k − 1)), computed here from each row's gradient on its own, equals what the accumulated
 * step estimates from its micro-batches' contributions.
 */
class WithinStepVarianceTest {
    private static final Dataset DATA = new FictitiousFacts(12, 0.25, 1, 2, 1, 1).load(1);
    private static final Tokenizer TOKENIZER = DATA.fitTokenizer();
    private static final GptConfig CONFIG = new GptConfig(TOKENIZER.vocabSize(), 2, 32, 2, 48, 0f);

    @Test
    void theMicroBatchVarianceIsTheVarianceOfTheRowGradientsMean() {
        List<Encoded> rows = Encoded.all(TOKENIZER, DATA.get(Split.FORGET)).subList(0, 4);
        Objective nll = Objectives.nll(Split.FORGET);
        int k = rows.size();
        try (CausalLm model = CausalLm.initialize(CONFIG, 3, Device.cpu());
                MixedPrecision evaluations = MixedPrecision.of(Precision.FLOAT32, model)) {
            List<double[]> perRow = new ArrayList<>();
            for (Encoded row : rows) {
                try (NDScope scope = new NDScope()) {
                    Map<Split, BatchStream> one = Map.of(Split.FORGET, new BatchStream(List.of(row), 1, 5));
                    perRow.add(flat(evaluations.oracle(0, 1, () -> model, one, TOKENIZER, nll, 1)
                            .lossAndGradients().gradients()));
                }
            }
            int n = perRow.get(0).length;
            double[] mean = new double[n];
            perRow.forEach(g -> {
                for (int i = 0; i < n; i++) {
                    mean[i] += g[i] / k;
                }
            });
            double spread = 0;
            for (double[] g : perRow) {
                for (int i = 0; i < n; i++) {
                    spread += (g[i] - mean[i]) * (g[i] - mean[i]);
                }
            }
            double expected = spread / (k * (k - 1.0));
            try (NDScope scope = new NDScope()) {
                Map<Split, BatchStream> all = Map.of(Split.FORGET, new BatchStream(rows, k, 5));
                LossOracle oracle = evaluations.oracle(0, 1, () -> model, all, TOKENIZER, nll, k);
                Updates g = oracle.withWithinStepVariance().lossAndGradients().gradients();
                double variance = g.variance().toType(DataType.FLOAT64, false).getDouble();
                assertTrue(expected > 0, "the rows' gradients differ");
                assertEquals(expected, variance, 1e-4 * expected);
                double[] accumulated = flat(g);
                for (int i = 0; i < n; i++) {
                    assertEquals(mean[i], accumulated[i], 1e-5, "the accumulated gradient is the rows' mean");
                }
            }
            try (NDScope scope = new NDScope()) {
                Map<Split, BatchStream> all = Map.of(Split.FORGET, new BatchStream(rows, k, 5));
                LossOracle whole = evaluations.oracle(0, 1, () -> model, all, TOKENIZER, nll, 1);
                UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                        whole::withWithinStepVariance);
                assertTrue(e.getMessage().contains("accumulate"), e.getMessage());
            }
        }
    }

    private static double[] flat(Updates u) {
        List<Double> out = new ArrayList<>();
        u.asMap().values().forEach(a -> {
            for (float x : a.toType(DataType.FLOAT32, false).toFloatArray()) {
                out.add((double) x);
            }
        });
        return out.stream().mapToDouble(Double::doubleValue).toArray();
    }
}
