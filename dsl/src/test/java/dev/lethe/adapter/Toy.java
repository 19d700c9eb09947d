package dev.lethe.adapter;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import ai.djl.training.GradientCollector;
import dev.lethe.data.Batch;
import dev.lethe.data.Dataset;
import dev.lethe.data.Encoded;
import dev.lethe.data.FictitiousFacts;
import dev.lethe.data.QaExample;
import dev.lethe.data.Split;
import dev.lethe.model.CausalLm;
import dev.lethe.model.GptConfig;
import dev.lethe.model.Tokenizer;
import dev.lethe.objective.TokenScores;
import dev.lethe.optim.LossOracle;
import dev.lethe.optim.Updates;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;

/** A tiny model with the data it is scored on, shared by the adapter tests. */
final class Toy {
    final Dataset data = new FictitiousFacts(8, 0.25, 2, 3, 2, 2).load(3);
    final Tokenizer tokenizer = data.fitTokenizer();
    final GptConfig config = new GptConfig(tokenizer.vocabSize(), 2, 16, 2, 32, 0f);

    /** A fresh trainable model. */
    CausalLm model(long seed) {
        return CausalLm.initialize(config, seed, Device.cpu());
    }

    /** The first {@code n} examples of {@code split}. */
    List<Encoded> encoded(Split split, int n) {
        List<Encoded> out = new ArrayList<>();
        for (QaExample e : data.get(split).subList(0, Math.min(n, data.get(split).size()))) {
            out.add(Encoded.of(tokenizer, e.question(), e.answer()));
        }
        return out;
    }

    /** The logits of {@code model} on a fixed forget batch, flattened. */
    float[] logits(CausalLm model) {
        try (NDScope scope = new NDScope()) {
            Batch b = Batch.of(encoded(Split.FORGET, 4), tokenizer, model.manager());
            return model.forward(b.inputs()).logits().toFloatArray();
        }
    }

    /** Copies of every array of {@code weights}. */
    static LinkedHashMap<String, float[]> snapshot(dev.lethe.model.Weights weights) {
        LinkedHashMap<String, float[]> out = new LinkedHashMap<>();
        weights.forEach((n, a) -> out.put(n, a.toFloatArray()));
        return out;
    }

    /** The mean token NLL of a fixed retain batch under {@code model}: a loss oracle for direct optimizer steps. */
    LossOracle nll(CausalLm model) {
        return new LossOracle() {
            private NDArray compute() {
                Batch b = Batch.of(encoded(Split.RETAIN, 6), tokenizer, model.manager());
                TokenScores s = TokenScores.of(model.forward(b.inputs(), true, false), b);
                return s.tokenLogProbs().sum().neg().div(s.mask().sum());
            }

            @Override
            public NDArray loss() {
                return compute();
            }

            @Override
            public Evaluation lossAndGradients() {
                model.weights().zeroGradients();
                NDArray loss;
                try (GradientCollector c = Engine.getInstance().newGradientCollector()) {
                    loss = compute();
                    c.backward(loss);
                }
                LinkedHashMap<String, NDArray> grads = new LinkedHashMap<>();
                model.weights().forEach((n, w) -> grads.put(n, w.getGradient()));
                return new Evaluation(loss, new Updates(grads));
            }
        };
    }
}
