package dev.lethe.eval;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.lethe.data.Batch;
import dev.lethe.data.Encoded;
import dev.lethe.eval.stats.MiaScores;
import dev.lethe.model.CausalLm;
import dev.lethe.model.Tokenizer;
import java.util.ArrayList;
import java.util.List;

/**
 * The gradient-norm membership score (open-unlearning's {@code mia_gradnorm}, from mimir, whose code cites
 * arXiv:2402.17012 for its use on language models' training data): per example, one backward pass of its own loss
 * L = −(1/n) Σ_t log p(y_t | ·) over its scored tokens, then the mean over the model's trained parameter tensors
 * of each tensor's gradient p-norm ({@link MiaScores#gradNorm}), not one global norm. Training examples sit near a
 * minimum of their loss, so members score lower, like the other membership scores.
 *
 * <p>The scored tokens are an example's targets without the last, as open-unlearning's {@code tokenwise_logprobs}
 * drops the last labelled token: a question's answer without its closing {@code <eos>}, a text's tokens without the
 * {@code <eos>} target. An example with a single target keeps it (open-unlearning would average no token).
 *
 * <p>Gradients are taken with respect to the arrays the model trains ({@link CausalLm#weights()}: every weight, or
 * only the adapter arrays of an adapter view, as open-unlearning skips parameters without gradient); a frozen model is
 * copied to a trainable one first. The model's gradient buffers are zeroed before and after.
 */
final class GradientNorms {
    private GradientNorms() {}

    /** The score of each example under {@code model}, in order. */
    static double[] scores(CausalLm model, Tokenizer tokenizer, List<Encoded> examples, PrivacySuite.GradNorm norm) {
        if (model.isTrainable()) {
            return scoresOfTrainable(model, tokenizer, examples, norm);
        }
        try (CausalLm trainable = model.copy()) {
            return scoresOfTrainable(trainable, tokenizer, examples, norm);
        }
    }

    private static double[] scoresOfTrainable(CausalLm model, Tokenizer tokenizer, List<Encoded> examples,
            PrivacySuite.GradNorm norm) {
        double[] out = new double[examples.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = MiaScores.gradNorm(tensorNorms(model, tokenizer, examples.get(i), norm));
        }
        return out;
    }

    /**
     * The p-norm of the gradient of {@code example}'s loss with respect to each array {@code model} trains (those with
     * a gradient buffer, as open-unlearning skips parameters whose gradient is None), in the order of its weights.
     *
     * @param model a trainable model
     */
    static double[] tensorNorms(CausalLm model, Tokenizer tokenizer, Encoded example, PrivacySuite.GradNorm norm) {
        model.weights().zeroGradients();
        List<Double> norms = new ArrayList<>();
        try (NDScope scope = new NDScope()) {
            Batch batch = Batch.of(List.of(example), tokenizer, model.manager());
            int time = (int) batch.inputs().getShape().get(1);
            int first = example.prompt().length;
            int targets = example.answerTargets();
            int scored = Math.max(1, targets - 1);
            float[] mask = new float[time];
            for (int t = first; t < first + scored; t++) {
                mask[t] = 1f;
            }
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                NDArray logits = model.forward(batch.inputs()).logits();
                NDArray picked = logits.logSoftmax(-1).gather(batch.targets().expandDims(-1), -1).squeeze(-1);
                NDArray weights = model.manager().create(mask, new Shape(1, time)).toType(picked.getDataType(), false);
                NDArray loss = picked.mul(weights).sum().div(-scored);
                collector.backward(loss);
            }
            model.weights().forEach((name, w) -> {
                if (w.hasGradient()) {
                    norms.add((double) norm.of(w.getGradient().toType(DataType.FLOAT32, false)).getFloat());
                }
            });
        } finally {
            model.weights().zeroGradients();
        }
        return norms.stream().mapToDouble(Double::doubleValue).toArray();
    }
}
