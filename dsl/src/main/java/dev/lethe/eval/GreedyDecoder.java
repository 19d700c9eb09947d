package dev.lethe.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import dev.lethe.model.CausalLm;
import dev.lethe.model.Tokenizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Greedy decoding in batches: each prompt ({@code <bos>} + prompt tokens) is extended by its argmax token
 * until {@code <eos>}, {@code maxNewTokens} tokens, or the context length. Rows are right-padded; because
 * attention is causal, a row's padding never influences its real positions, and each row's next token is
 * read at its own last position.
 */
public final class GreedyDecoder {
    private final CausalLm model;
    private final Tokenizer tokenizer;
    private final int batchSize;

    /** A decoder over {@code model} in batches of {@code batchSize}. */
    public GreedyDecoder(CausalLm model, Tokenizer tokenizer, int batchSize) {
        this.model = model;
        this.tokenizer = tokenizer;
        this.batchSize = batchSize;
    }

    /** The decoded continuation of each prompt, as text (without special tokens). */
    public List<String> decode(List<String> prompts, int maxNewTokens) {
        List<String> out = new ArrayList<>(prompts.size());
        for (int start = 0; start < prompts.size(); start += batchSize) {
            List<String> chunk = prompts.subList(start, Math.min(prompts.size(), start + batchSize));
            for (int[] ids : decodeBatch(chunk, maxNewTokens)) {
                out.add(tokenizer.decode(ids));
            }
        }
        return out;
    }

    private List<int[]> decodeBatch(List<String> prompts, int maxNewTokens) {
        int rows = prompts.size();
        int context = model.spec().contextLength();
        List<List<Integer>> seqs = new ArrayList<>();
        int[] promptLength = new int[rows];
        boolean[] done = new boolean[rows];
        for (int r = 0; r < rows; r++) {
            List<Integer> s = new ArrayList<>();
            s.add(tokenizer.bosId());
            for (int id : tokenizer.encode(prompts.get(r))) {
                s.add(id);
            }
            if (s.size() > context) {
                throw new IllegalArgumentException("prompt of " + s.size() + " tokens exceeds the context length "
                        + context + ": " + prompts.get(r));
            }
            seqs.add(s);
            promptLength[r] = s.size();
        }
        for (int step = 0; step < maxNewTokens; step++) {
            int time = 0;
            for (int r = 0; r < rows; r++) {
                if (!done[r] && seqs.get(r).size() >= context) {
                    done[r] = true;
                }
                time = Math.max(time, seqs.get(r).size());
            }
            if (allDone(done)) {
                break;
            }
            long[] tokens = new long[rows * time];
            Arrays.fill(tokens, tokenizer.padId());
            for (int r = 0; r < rows; r++) {
                List<Integer> s = seqs.get(r);
                for (int t = 0; t < s.size(); t++) {
                    tokens[r * time + t] = s.get(t);
                }
            }
            long[] next;
            try (NDScope scope = new NDScope()) {
                NDArray logits = model.forward(model.manager().create(tokens, new Shape(rows, time))).logits();
                next = logits.argMax(-1).toLongArray();
            }
            for (int r = 0; r < rows; r++) {
                if (done[r]) {
                    continue;
                }
                int id = (int) next[r * time + seqs.get(r).size() - 1];
                if (id == tokenizer.eosId()) {
                    done[r] = true;
                } else {
                    seqs.get(r).add(id);
                }
            }
        }
        List<int[]> out = new ArrayList<>(rows);
        for (int r = 0; r < rows; r++) {
            List<Integer> s = seqs.get(r);
            out.add(s.subList(promptLength[r], s.size()).stream().mapToInt(Integer::intValue).toArray());
        }
        return out;
    }

    private static boolean allDone(boolean[] done) {
        for (boolean d : done) {
            if (!d) {
                return false;
            }
        }
        return true;
    }
}
