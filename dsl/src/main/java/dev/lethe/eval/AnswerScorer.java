package dev.lethe.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import dev.lethe.data.Batch;
import dev.lethe.data.Encoded;
import dev.lethe.model.CausalLm;
import dev.lethe.model.Tokenizer;
import java.util.ArrayList;
import java.util.List;

/**
 * Scores answers under a model in batches, teacher-forced, without gradients: for each (prompt, answer)
 * pair the per-token log-probabilities of the answer (prompt masked), the argmax hits, and the mean and
 * standard deviation of log p over the vocabulary at each answer position. The one place where metrics
 * read a model's likelihoods, so every metric sees the same numbers.
 *
 * <p>A batch's rows are right-padded: attention is causal, so a row's padding comes after every position it
 * scores and changes none of its numbers (tested against each row scored alone, for the built-in GPT and a
 * Llama-family model). Every suite that scores (answers, TOFU, privacy, MUSE, multiple choice) takes its batch
 * size as its {@code batch_size} parameter.
 */
public final class AnswerScorer {
    private final CausalLm model;
    private final Tokenizer tokenizer;
    private final int batchSize;

    /** A scorer of {@code model}'s answers in batches of {@code batchSize}. */
    public AnswerScorer(CausalLm model, Tokenizer tokenizer, int batchSize) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batchSize must be >= 1, was " + batchSize);
        }
        this.model = model;
        this.tokenizer = tokenizer;
        this.batchSize = batchSize;
    }

    /** Scores each example's answer after its question. */
    public List<TokenLogProbs> scoreAnswers(List<dev.lethe.data.QaExample> examples) {
        return score(examples.stream().map(dev.lethe.data.QaExample::question).toList(),
                examples.stream().map(dev.lethe.data.QaExample::answer).toList());
    }

    /**
     * Scores each text whole as plain text after {@code <bos>} (no prompt, no chat template, no closing
     * {@code <eos>}: the log-probabilities of its tokens as a language model reads it), cut to the first
     * context length − 1 tokens.
     */
    public List<TokenLogProbs> scoreTexts(List<String> texts) {
        List<Encoded> encoded = encodeTexts(texts);
        List<TokenLogProbs> out = new ArrayList<>(texts.size());
        for (int start = 0; start < encoded.size(); start += batchSize) {
            for (TokenLogProbs t : scoreBatch(encoded.subList(start, Math.min(encoded.size(), start + batchSize)))) {
                out.add(t.withoutLast());
            }
        }
        return out;
    }

    /**
     * The texts as {@link #scoreTexts} reads them: each a prompt-less example whose answer is the text's tokens cut to
     * the context length − 1, closed by the {@code <eos>} target that {@link #scoreTexts} then leaves out.
     */
    List<Encoded> encodeTexts(List<String> texts) {
        int keep = model.spec().contextLength() - 1;
        List<Encoded> out = new ArrayList<>(texts.size());
        for (String text : texts) {
            int[] ids = tokenizer.encode(text);
            if (ids.length == 0) {
                throw new IllegalArgumentException("a text to score has no tokens: '" + text + "'");
            }
            out.add(new Encoded(new int[0], java.util.Arrays.copyOf(ids, Math.min(ids.length, keep))));
        }
        return out;
    }

    /**
     * Scores {@code answers.get(i)} after {@code prompts.get(i)}, for every i. A pair longer than the model's
     * context is {@linkplain Encoded#fit fitted} to it: its answer cut at the end (the scores cover the kept
     * tokens, without the closing {@code <eos>}), as TOFU's {@code max_length} cuts its evaluation texts; a prompt
     * that alone fills the context loses its oldest tokens and keeps one answer token.
     */
    public List<TokenLogProbs> score(List<String> prompts, List<String> answers) {
        List<Encoded> encoded = encode(prompts, answers);
        List<TokenLogProbs> out = new ArrayList<>(encoded.size());
        for (int start = 0; start < encoded.size(); start += batchSize) {
            out.addAll(scoreBatch(encoded.subList(start, Math.min(encoded.size(), start + batchSize))));
        }
        return out;
    }

    /** The pairs as {@link #score} reads them: encoded and {@linkplain Encoded#fit fitted} to the context. */
    List<Encoded> encode(List<String> prompts, List<String> answers) {
        if (prompts.size() != answers.size()) {
            throw new IllegalArgumentException(prompts.size() + " prompts but " + answers.size() + " answers");
        }
        int context = model.spec().contextLength();
        List<Encoded> out = new ArrayList<>(prompts.size());
        for (int i = 0; i < prompts.size(); i++) {
            out.add(Encoded.of(tokenizer, prompts.get(i), answers.get(i)).fit(context));
        }
        return out;
    }

    private List<TokenLogProbs> scoreBatch(List<Encoded> chunk) {
        try (NDScope scope = new NDScope()) {
            Batch batch = Batch.of(chunk, tokenizer, model.manager());
            NDArray logits = model.forward(batch.inputs()).logits();
            NDArray logProbs = logits.logSoftmax(-1);
            NDArray probs = logProbs.exp();
            NDArray picked = logProbs.gather(batch.targets().expandDims(-1), -1).squeeze(-1);
            NDArray mean = probs.mul(logProbs).sum(new int[] {-1});
            NDArray second = probs.mul(logProbs.square()).sum(new int[] {-1});
            NDArray hits = logits.argMax(-1).eq(batch.targets());
            int time = (int) batch.inputs().getShape().get(1);
            float[] lp = picked.toType(DataType.FLOAT32, false).toFloatArray();
            float[] mu = mean.toType(DataType.FLOAT32, false).toFloatArray();
            float[] m2 = second.toType(DataType.FLOAT32, false).toFloatArray();
            boolean[] hit = hits.toBooleanArray();
            List<TokenLogProbs> out = new ArrayList<>(chunk.size());
            for (int r = 0; r < chunk.size(); r++) {
                Encoded e = chunk.get(r);
                int first = e.prompt().length;
                int n = e.answerTargets();
                double[] l = new double[n];
                double[] m = new double[n];
                double[] s = new double[n];
                boolean[] h = new boolean[n];
                for (int t = 0; t < n; t++) {
                    int i = r * time + first + t;
                    l[t] = lp[i];
                    m[t] = mu[i];
                    s[t] = Math.sqrt(Math.max(0.0, m2[i] - (double) mu[i] * mu[i]));
                    h[t] = hit[i];
                }
                out.add(new TokenLogProbs(l, m, s, h));
            }
            return out;
        }
    }
}
