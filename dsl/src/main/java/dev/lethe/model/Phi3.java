package dev.lethe.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The Phi-3 architecture of one {@link Phi3Config}, with Hugging Face's parameter names:
 * {@code x = embed_tokens[tokens]}; per block, on {@code h = input_layernorm(x)},
 * {@code [q | k | v] = qkv_proj(h)} (the query heads' columns, then the key heads', then the value heads'),
 * {@code x += o_proj(attn(rope(q), rope(k), v))}, and on {@code h = post_attention_layernorm(x)},
 * {@code [g | u] = gate_up_proj(h)}, {@code x += down_proj(silu(g) ⊙ u)}; {@code logits = norm(x) · headᵀ}.
 * Shared blocks: {@link RmsNorm}, {@link Rotary}, {@link CausalAttention}, {@link SwiGlu#gated},
 * {@link Projections}, {@link RotaryDecoder}'s passes.
 *
 * <p>Roles (block l's modules under {@code model.layers.l.}): {@code model.embed_tokens}
 * {@link Role#TOKEN_EMBEDDING}; {@code input_layernorm} {@link Role#ATTENTION_NORM}; the fused
 * {@code self_attn.qkv_proj} plays {@link Role#ATTENTION_QKV} (there are no separate q/k/v modules, so a LoRA,
 * freeze or quantization aimed at the attention's input projections acts on all three at once, as with
 * GPT-2's {@code c_attn}); {@code self_attn.o_proj} {@link Role#ATTENTION_OUT};
 * {@code post_attention_layernorm} {@link Role#MLP_NORM}; the fused {@code mlp.gate_up_proj} plays
 * {@link Role#MLP_UP} (gate and up halves together; there is no separate {@link Role#MLP_GATE} module);
 * {@code mlp.down_proj} {@link Role#MLP_DOWN}; {@code model.norm} {@link Role#FINAL_NORM}; {@code lm_head}
 * (or {@code model.embed_tokens} when tied) {@link Role#LM_HEAD}. Projections and an untied head are stored
 * (in, out), the embedding (vocabulary, hidden).
 */
public final class Phi3 extends RotaryDecoder {
    private static final String EMBEDDING = "model.embed_tokens";
    private static final String FINAL_NORM = "model.norm";
    private static final String HEAD = "lm_head";
    private static final String ATTENTION_NORM = "input_layernorm";
    private static final String QKV = "self_attn.qkv_proj";
    private static final String O = "self_attn.o_proj";
    private static final String MLP_NORM = "post_attention_layernorm";
    private static final String GATE_UP = "mlp.gate_up_proj";
    private static final String DOWN = "mlp.down_proj";

    private final Phi3Config config;

    /** The Phi-3 model of shape {@code config}. */
    public Phi3(Phi3Config config) {
        super(config, "model.layers.", EMBEDDING, config.vocabSize(), config.hidden(), config.layers(),
                config.heads(), config.kvHeads(), config.headDim(), config.initializerRange(),
                new Rotary(config.headDim(), config.rotaryFraction(), config.ropeTheta(), config.ropeScaling(),
                        config.maxPositions()));
        this.config = config;
    }

    /** The shape. */
    public Phi3Config config() {
        return config;
    }

    @Override
    void blockRoles(List<RoleModule> r, int l) {
        r.add(new RoleModule(Role.ATTENTION_NORM, l, module(l, ATTENTION_NORM), false));
        r.add(new RoleModule(Role.ATTENTION_QKV, l, module(l, QKV), false));
        r.add(new RoleModule(Role.ATTENTION_OUT, l, module(l, O), false));
        r.add(new RoleModule(Role.MLP_NORM, l, module(l, MLP_NORM), false));
        r.add(new RoleModule(Role.MLP_UP, l, module(l, GATE_UP), false));
        r.add(new RoleModule(Role.MLP_DOWN, l, module(l, DOWN), false));
    }

    @Override
    void headRoles(List<RoleModule> r) {
        rmsNormHeadRoles(r, FINAL_NORM, HEAD, config.tiedHead());
    }

    /** As transformers' {@code _init_weights} for Phi-3: projections ~ N(0, std²), RMSNorm gains 1. */
    @Override
    void blockParameters(List<ParameterSpec> p, int l, double std) {
        int d = config.hidden();
        int qkvWidth = (config.heads() + 2 * config.kvHeads()) * config.headDim();
        p.add(ParameterSpec.constant(module(l, ATTENTION_NORM) + ".weight", 1f, d));
        p.add(ParameterSpec.normal(module(l, QKV) + ".weight", std, d, qkvWidth));
        p.add(ParameterSpec.normal(module(l, O) + ".weight", std, config.heads() * config.headDim(), d));
        p.add(ParameterSpec.constant(module(l, MLP_NORM) + ".weight", 1f, d));
        p.add(ParameterSpec.normal(module(l, GATE_UP) + ".weight", std, d, 2 * config.intermediate()));
        p.add(ParameterSpec.normal(module(l, DOWN) + ".weight", std, config.intermediate(), d));
    }

    @Override
    void headParameters(List<ParameterSpec> p, double std) {
        rmsNormHeadParameters(p, FINAL_NORM, HEAD, config.tiedHead(), std);
    }

    @Override
    NDArray block(Projections p, int l, NDArray x, NDArray cos, NDArray sin, @Nullable KeyPadding padding,
            @Nullable KvCache cache) {
        NDArray h = RmsNorm.apply(x, p.weights().get(module(l, ATTENTION_NORM) + ".weight"), config.rmsNormEps());
        NDArray qkv = p.apply(h, module(l, QKV), false);
        long qWidth = (long) config.heads() * config.headDim();
        long kvWidth = (long) config.kvHeads() * config.headDim();
        NDList parts = qkv.split(new long[] {qWidth, qWidth + kvWidth}, 2);
        NDArray q = heads(parts.get(0), config.heads());
        NDArray k = heads(parts.get(1), config.kvHeads());
        NDArray v = heads(parts.get(2), config.kvHeads());
        NDArray attended = attend(l, q, k, v, cos, sin, config.slidingWindow(), padding, cache);
        NDArray a = p.apply(attended, module(l, O), false);
        NDArray x1 = x.add(a);
        free(h, qkv, attended, a);
        NDArray h2 = RmsNorm.apply(x1, p.weights().get(module(l, MLP_NORM) + ".weight"), config.rmsNormEps());
        NDArray gateUp = p.apply(h2, module(l, GATE_UP), false);
        NDList halves = gateUp.split(2, 2);
        NDArray inner = SwiGlu.gated(halves.get(0), halves.get(1));
        NDArray m = p.apply(inner, module(l, DOWN), false);
        NDArray out = x1.add(m);
        halves.close();
        free(x1, h2, gateUp, inner, m);
        return out;
    }

    @Override
    NDArray head(Projections p, NDArray x) {
        NDArray last = RmsNorm.apply(x, p.weights().get(FINAL_NORM + ".weight"), config.rmsNormEps());
        NDArray logits = config.tiedHead() ? tiedHead(last, p.weights().get(EMBEDDING + ".weight"))
                : p.apply(last, HEAD, false);
        last.close();
        return logits;
    }
}
