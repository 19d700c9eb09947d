package dev.lethe.cli;

import dev.lethe.model.GptConfig;
import dev.lethe.model.LlamaConfig;
import dev.lethe.model.ModelSpec;
import dev.lethe.model.RopeScaling;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The model shapes {@code lethe bench --model} knows by name. The pretrained-family shapes copy the published
 * {@code config.json} of each model (no hub is reachable here; checked against the stored page of
 * huggingface.co/HuggingFaceTB/SmolLM-135M-Instruct/blob/main/config.json, the base model's shape, and against
 * a copy of meta-llama/Llama-3.2-1B-Instruct's config.json in kevinstephano/thunder_model_blocks,
 * {@code hf_llama/llama_config.py}; SmolLM2-135M differs: rope θ 10⁵, 8192 positions): SmolLM-135M (HuggingFaceTB, a {@code LlamaForCausalLM}: hidden 576, 30 layers, 9 heads, 3 key/value
 * heads, intermediate 1536, vocabulary 49152, tied head, RMSNorm ε 10⁻⁵, rope θ 10⁴ unscaled, 2048 positions)
 * and Llama-3.2-1B (hidden 2048, 16 layers, 32 heads, 8 key/value heads, head width 64, intermediate 8192,
 * vocabulary 128256, tied head, ε 10⁻⁵, rope θ 5·10⁵ with {@code llama3} scaling: factor 32, low 1, high 4,
 * original 8192 positions; 131072 positions). The {@code tiny-*} shapes are small models of the same two
 * kinds (unscaled and llama3-scaled rope, grouped heads, tied head) for checking the benchmark scripts in a
 * minute.
 */
final class BenchShapes {
    private BenchShapes() {}

    /** The names, in the order {@code --help} lists them. */
    static final List<String> NAMES = List.of("quickstart", "gpt2-small", "smollm-135m", "llama-3.2-1b",
            "tiny-smollm", "tiny-llama3");

    /** The shape called {@code name}, at least {@code length} positions long, or null when there is none. */
    static @Nullable ModelSpec of(String name, int length) {
        return switch (name) {
            case "quickstart" -> new GptConfig(1000, 4, 128, 4, Math.max(32, length), 0f);
            case "gpt2-small" -> new GptConfig(50257, 12, 768, 12, Math.max(1024, length), 0f);
            case "smollm-135m" -> LlamaConfig.llama(49152, 576, 1536, 30, 9, 3).withTiedHead(true)
                    .withNormAndInit(1e-5, 0.02).withMaxPositions(2048);
            case "llama-3.2-1b" -> LlamaConfig.llama(128256, 2048, 8192, 16, 32, 8).withTiedHead(true)
                    .withNormAndInit(1e-5, 0.02).withMaxPositions(131072)
                    .withRope(500000, RopeScaling.llama3(32, 1, 4, 8192));
            case "tiny-smollm" -> LlamaConfig.llama(256, 64, 160, 2, 4, 2).withTiedHead(true)
                    .withNormAndInit(1e-5, 0.02).withMaxPositions(2048);
            case "tiny-llama3" -> LlamaConfig.llama(288, 64, 128, 2, 4, 1).withTiedHead(true)
                    .withNormAndInit(1e-5, 0.02).withMaxPositions(131072)
                    .withRope(500000, RopeScaling.llama3(32, 1, 4, 8192));
            default -> null;
        };
    }
}
