package dev.lethe.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.core.Linear;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The Llama family of one {@link LlamaConfig} shape (Llama 2/3.x, Mistral, Qwen2/2.5, Qwen3), written on DJL
 * operations with Hugging Face's parameter names: {@code x = embed_tokens[tokens]}; per block
 * {@code x += o_proj(attn(rope(q), rope(k), v))} on {@code input_layernorm(x)} and
 * {@code x += down_proj(silu(gate_proj(h)) ⊙ up_proj(h))} on {@code h = post_attention_layernorm(x)};
 * {@code logits = norm(x) · headᵀ}, the head being {@code lm_head} or the tied {@code embed_tokens}. Blocks
 * shared with other families: {@link RmsNorm}, {@link Rotary}, {@link CausalAttention}, {@link SwiGlu},
 * {@link Projections}, {@link RotaryDecoder}'s passes.
 *
 * <p>Roles (block l's modules under {@code model.layers.l.}): {@code model.embed_tokens}
 * {@link Role#TOKEN_EMBEDDING}; {@code input_layernorm} {@link Role#ATTENTION_NORM}; {@code self_attn.q_proj},
 * {@code k_proj}, {@code v_proj}, {@code o_proj} {@link Role#ATTENTION_Q}, {@link Role#ATTENTION_K},
 * {@link Role#ATTENTION_V}, {@link Role#ATTENTION_OUT}; Qwen3's {@code self_attn.q_norm}, {@code k_norm}
 * {@link Role#QUERY_NORM}, {@link Role#KEY_NORM}; {@code post_attention_layernorm} {@link Role#MLP_NORM};
 * {@code mlp.gate_proj}, {@code up_proj}, {@code down_proj} {@link Role#MLP_GATE}, {@link Role#MLP_UP},
 * {@link Role#MLP_DOWN}; {@code model.norm} {@link Role#FINAL_NORM}; {@code lm_head} (or
 * {@code model.embed_tokens} when tied) {@link Role#LM_HEAD}. Projections and an untied head are stored
 * (in, out), the embedding (vocabulary, hidden).
 */
public final class Llama extends RotaryDecoder {
    private static final String EMBEDDING = "model.embed_tokens";
    private static final String FINAL_NORM = "model.norm";
    private static final String HEAD = "lm_head";
    private static final String ATTENTION_NORM = "input_layernorm";
    private static final String Q = "self_attn.q_proj";
    private static final String K = "self_attn.k_proj";
    private static final String V = "self_attn.v_proj";
    private static final String O = "self_attn.o_proj";
    private static final String Q_NORM = "self_attn.q_norm";
    private static final String K_NORM = "self_attn.k_norm";
    private static final String MLP_NORM = "post_attention_layernorm";
    private static final String GATE = "mlp.gate_proj";
    private static final String UP = "mlp.up_proj";
    private static final String DOWN = "mlp.down_proj";

    private final LlamaConfig config;

    /** The Llama-family model of shape {@code config}. */
    public Llama(LlamaConfig config) {
        super(config, "model.layers.", EMBEDDING, config.vocabSize(), config.hidden(), config.layers(),
                config.heads(), config.kvHeads(), config.headDim(), config.initializerRange(),
                new Rotary(config.headDim(), 1.0, config.ropeTheta(), config.ropeScaling(), config.maxPositions()));
        this.config = config;
    }

    /** The shape. */
    public LlamaConfig config() {
        return config;
    }

    @Override
    void blockRoles(List<RoleModule> r, int l) {
        r.add(new RoleModule(Role.ATTENTION_NORM, l, module(l, ATTENTION_NORM), false));
        r.add(new RoleModule(Role.ATTENTION_Q, l, module(l, Q), config.qkvBias()));
        r.add(new RoleModule(Role.ATTENTION_K, l, module(l, K), config.qkvBias()));
        r.add(new RoleModule(Role.ATTENTION_V, l, module(l, V), config.qkvBias()));
        if (config.qkNorm()) {
            r.add(new RoleModule(Role.QUERY_NORM, l, module(l, Q_NORM), false));
            r.add(new RoleModule(Role.KEY_NORM, l, module(l, K_NORM), false));
        }
        r.add(new RoleModule(Role.ATTENTION_OUT, l, module(l, O), config.outputBias()));
        r.add(new RoleModule(Role.MLP_NORM, l, module(l, MLP_NORM), false));
        r.add(new RoleModule(Role.MLP_GATE, l, module(l, GATE), config.mlpBias()));
        r.add(new RoleModule(Role.MLP_UP, l, module(l, UP), config.mlpBias()));
        r.add(new RoleModule(Role.MLP_DOWN, l, module(l, DOWN), config.mlpBias()));
    }

    @Override
    void headRoles(List<RoleModule> r) {
        rmsNormHeadRoles(r, FINAL_NORM, HEAD, config.tiedHead());
    }

    /**
     * As transformers' {@code _init_weights} does for this family: projections ~ N(0, std²), biases 0, RMSNorm
     * gains 1.
     */
    @Override
    void blockParameters(List<ParameterSpec> p, int l, double std) {
        int d = config.hidden();
        int qWidth = config.heads() * config.headDim();
        int kvWidth = config.kvHeads() * config.headDim();
        linear(p, module(l, Q), std, d, qWidth, config.qkvBias());
        linear(p, module(l, K), std, d, kvWidth, config.qkvBias());
        linear(p, module(l, V), std, d, kvWidth, config.qkvBias());
        linear(p, module(l, O), std, qWidth, d, config.outputBias());
        if (config.qkNorm()) {
            p.add(ParameterSpec.constant(module(l, Q_NORM) + ".weight", 1f, config.headDim()));
            p.add(ParameterSpec.constant(module(l, K_NORM) + ".weight", 1f, config.headDim()));
        }
        linear(p, module(l, GATE), std, d, config.intermediate(), config.mlpBias());
        linear(p, module(l, UP), std, d, config.intermediate(), config.mlpBias());
        linear(p, module(l, DOWN), std, config.intermediate(), d, config.mlpBias());
        p.add(ParameterSpec.constant(module(l, ATTENTION_NORM) + ".weight", 1f, d));
        p.add(ParameterSpec.constant(module(l, MLP_NORM) + ".weight", 1f, d));
    }

    /** The final RMSNorm's gain 1 and, when untied, the head ~ N(0, std²). */
    @Override
    void headParameters(List<ParameterSpec> p, double std) {
        rmsNormHeadParameters(p, FINAL_NORM, HEAD, config.tiedHead(), std);
    }

    private static void linear(List<ParameterSpec> p, String module, double std, int in, int out, boolean bias) {
        if (bias) {
            linear(p, module, std, in, out);
        } else {
            p.add(ParameterSpec.normal(module + ".weight", std, in, out));
        }
    }

    /** {@code norm(x) · headᵀ}. */
    @Override
    NDArray head(Projections p, NDArray x) {
        NDArray last = RmsNorm.apply(x, p.weights().get(FINAL_NORM + ".weight"), config.rmsNormEps());
        NDArray logits;
        if (config.tiedHead()) {
            logits = tiedHead(last, p.weights().get(EMBEDDING + ".weight"));
        } else {
            NDArray wt = p.weights().get(HEAD + ".weight").transpose();
            logits = Linear.linear(last, wt).singletonOrThrow();
            wt.close();
        }
        last.close();
        return logits;
    }

    /** Pre-norm attention with this layer's sliding window, then the pre-norm SwiGLU MLP, each added to {@code x}. */
    @Override
    NDArray block(Projections p, int l, NDArray x, NDArray cos, NDArray sin, @Nullable KeyPadding padding,
            @Nullable KvCache cache) {
        NDArray h = RmsNorm.apply(x, p.weights().get(module(l, ATTENTION_NORM) + ".weight"), config.rmsNormEps());
        NDArray q = heads(p, h, l, Q, Q_NORM, config.heads());
        NDArray k = heads(p, h, l, K, K_NORM, config.kvHeads());
        NDArray v = heads(p.apply(h, module(l, V), config.qkvBias()), config.kvHeads());
        NDArray attended = attend(l, q, k, v, cos, sin, config.window(l), padding, cache);
        NDArray out = p.apply(attended, module(l, O), config.outputBias());
        NDArray x1 = x.add(out);
        free(h, attended, out);
        NDArray h2 = RmsNorm.apply(x1, p.weights().get(module(l, MLP_NORM) + ".weight"), config.rmsNormEps());
        NDArray mlp = SwiGlu.apply(p, h2, module(l, GATE), module(l, UP), module(l, DOWN), config.mlpBias());
        NDArray x2 = x1.add(mlp);
        free(x1, h2, mlp);
        return x2;
    }

    /**
     * The projection {@code proj} of {@code h} as (batch, count, time, headDim); with Qwen3's q/k norms each head
     * is RMS-normalised by {@code norm} before the heads are moved to the second axis.
     */
    private NDArray heads(Projections p, NDArray h, int l, String proj, String norm, int count) {
        NDArray flat = p.apply(h, module(l, proj), config.qkvBias());
        if (!config.qkNorm()) {
            return heads(flat, count);
        }
        Shape s = flat.getShape();
        NDArray byHead = flat.reshape(s.get(0), s.get(1), count, config.headDim());
        NDArray normed = RmsNorm.apply(byHead, p.weights().get(module(l, norm) + ".weight"), config.rmsNormEps());
        NDArray out = normed.transpose(0, 2, 1, 3);
        free(flat, byHead, normed);
        return out;
    }
}
