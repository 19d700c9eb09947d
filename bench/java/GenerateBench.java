import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;
import dev.lethe.model.CausalLm;
import dev.lethe.model.Generation;
import dev.lethe.model.Generator;
import dev.lethe.model.GptConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Lethe's side of {@code bench/generate.sh}: a GPT-2-small-shaped model (12 × 768, 12 heads, vocabulary 50257,
 * GELU tanh) with random weights greedily continues a batch of random prompts with the KV cache, eos off, and
 * prints {@code ms_per_token,tokens_per_s} of the timed generations' median (tokens counted over the batch).
 *
 * <p>Usage: {@code GenerateBench BATCH PROMPT NEW_TOKENS THREADS REPEATS [VOCAB LAYERS WIDTH HEADS]}: another
 * shape, e.g. a narrow one, shows the cost per step that is not matrix arithmetic.
 */
public final class GenerateBench {
    public static void main(String[] args) {
        int batch = Integer.parseInt(args[0]);
        int prompt = Integer.parseInt(args[1]);
        int newTokens = Integer.parseInt(args[2]);
        Engine.getInstance();
        JniUtils.setNumThreads(Integer.parseInt(args[3]));
        JniUtils.setGradMode(false);
        int repeats = Integer.parseInt(args[4]);
        int[] shape = args.length > 5 ? new int[] {Integer.parseInt(args[5]), Integer.parseInt(args[6]),
            Integer.parseInt(args[7]), Integer.parseInt(args[8])} : new int[] {50257, 12, 768, 12};
        GptConfig config = new GptConfig(shape[0], shape[1], shape[2], shape[3], 1024, 0f)
                .withActivation(GptConfig.Activation.GELU_TANH);
        try (CausalLm model = CausalLm.initialize(config, 1, Device.cpu())) {
            SplittableRandom random = new SplittableRandom(2);
            List<int[]> prompts = new ArrayList<>();
            for (int r = 0; r < batch; r++) {
                prompts.add(random.ints(prompt, 0, shape[0]).toArray());
            }
            Generator generator = new Generator(model);
            generator.generate(prompts, Generation.greedy(8));
            double[] ms = new double[repeats];
            for (int i = 0; i < repeats; i++) {
                long start = System.nanoTime();
                List<int[]> out = generator.generate(prompts, Generation.greedy(newTokens));
                ms[i] = (System.nanoTime() - start) / 1e6;
                if (out.get(0).length != newTokens) {
                    throw new IllegalStateException("generated " + out.get(0).length + " tokens, not " + newTokens);
                }
            }
            java.util.Arrays.sort(ms);
            double median = ms[repeats / 2];
            System.out.printf(java.util.Locale.ROOT, "%.3f,%.2f%n", median / newTokens,
                    batch * newTokens / (median / 1000));
        }
    }
}
