package dev.lethe.model;

import ai.djl.ndarray.NDArray;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The Phi architecture of one {@link PhiConfig} (phi-1.5, phi-2), with Hugging Face's parameter names:
 * {@code x = embed_tokens[tokens]}; per block, on {@code h = input_layernorm(x)},
 * {@code x += dense(attn(rope(q), rope(k), v)) + fc2(gelu(fc1(h)))} (attention and MLP in parallel, one norm);
 * {@code logits = lm_head(final_layernorm(x))}. Queries and keys are rotated on their first
 * {@link PhiConfig#rotaryFraction()} entries ({@link Rotary}); with {@code qk_layernorm} each head is first
 * LayerNorm-ed. Shared blocks: {@link LayerNormalization}, {@link Rotary}, {@link CausalAttention},
 * {@link Projections}, {@link RotaryDecoder}'s passes.
 *
 * <p>Roles (block l's modules under {@code model.layers.l.}): {@code model.embed_tokens}
 * {@link Role#TOKEN_EMBEDDING}; {@code input_layernorm} {@link Role#ATTENTION_NORM} (it also feeds the MLP,
 * so the block has no {@link Role#MLP_NORM}); {@code self_attn.q_proj}, {@code k_proj}, {@code v_proj},
 * {@code dense} {@link Role#ATTENTION_Q}, {@link Role#ATTENTION_K}, {@link Role#ATTENTION_V},
 * {@link Role#ATTENTION_OUT}; {@code self_attn.q_layernorm}, {@code k_layernorm} {@link Role#QUERY_NORM},
 * {@link Role#KEY_NORM}; {@code mlp.fc1}, {@code fc2} {@link Role#MLP_UP}, {@link Role#MLP_DOWN};
 * {@code model.final_layernorm} {@link Role#FINAL_NORM}; {@code lm_head} {@link Role#LM_HEAD}. Every module has
 * a bias; projections and the head are stored (in, out).
 */
public final class Phi extends RotaryDecoder {
    private static final String EMBEDDING = "model.embed_tokens";
    private static final String FINAL_NORM = "model.final_layernorm";
    private static final String HEAD = "lm_head";
    private static final String NORM = "input_layernorm";
    private static final String Q = "self_attn.q_proj";
    private static final String K = "self_attn.k_proj";
    private static final String V = "self_attn.v_proj";
    private static final String O = "self_attn.dense";
    private static final String Q_NORM = "self_attn.q_layernorm";
    private static final String K_NORM = "self_attn.k_layernorm";
    private static final String FC1 = "mlp.fc1";
    private static final String FC2 = "mlp.fc2";

    private final PhiConfig config;

    /** The Phi model of shape {@code config}. */
    public Phi(PhiConfig config) {
        super(config, "model.layers.", EMBEDDING, config.vocabSize(), config.hidden(), config.layers(),
                config.heads(), config.kvHeads(), config.headDim(), config.initializerRange(),
                new Rotary(config.headDim(), config.rotaryFraction(), config.ropeTheta(), RopeScaling.none(),
                        config.maxPositions()));
        this.config = config;
    }

    /** The shape. */
    public PhiConfig config() {
        return config;
    }

    @Override
    void blockRoles(List<RoleModule> r, int l) {
        r.add(new RoleModule(Role.ATTENTION_NORM, l, module(l, NORM), true));
        r.add(new RoleModule(Role.ATTENTION_Q, l, module(l, Q), true));
        r.add(new RoleModule(Role.ATTENTION_K, l, module(l, K), true));
        r.add(new RoleModule(Role.ATTENTION_V, l, module(l, V), true));
        if (config.qkLayerNorm()) {
            r.add(new RoleModule(Role.QUERY_NORM, l, module(l, Q_NORM), true));
            r.add(new RoleModule(Role.KEY_NORM, l, module(l, K_NORM), true));
        }
        r.add(new RoleModule(Role.ATTENTION_OUT, l, module(l, O), true));
        r.add(new RoleModule(Role.MLP_UP, l, module(l, FC1), true));
        r.add(new RoleModule(Role.MLP_DOWN, l, module(l, FC2), true));
    }

    @Override
    void headRoles(List<RoleModule> r) {
        r.add(new RoleModule(Role.FINAL_NORM, RoleModule.WHOLE_MODEL, FINAL_NORM, true));
        r.add(new RoleModule(Role.LM_HEAD, RoleModule.WHOLE_MODEL, HEAD, true));
    }

    /** As transformers' {@code _init_weights} for Phi: projections ~ N(0, std²), biases 0, LayerNorms 1 and 0. */
    @Override
    void blockParameters(List<ParameterSpec> p, int l, double std) {
        int d = config.hidden();
        int kvWidth = config.kvHeads() * config.headDim();
        norm(p, module(l, NORM), d);
        linear(p, module(l, Q), std, d, d);
        linear(p, module(l, K), std, d, kvWidth);
        linear(p, module(l, V), std, d, kvWidth);
        if (config.qkLayerNorm()) {
            norm(p, module(l, Q_NORM), config.headDim());
            norm(p, module(l, K_NORM), config.headDim());
        }
        linear(p, module(l, O), std, d, d);
        linear(p, module(l, FC1), std, d, config.intermediate());
        linear(p, module(l, FC2), std, config.intermediate(), d);
    }

    @Override
    void headParameters(List<ParameterSpec> p, double std) {
        norm(p, FINAL_NORM, config.hidden());
        linear(p, HEAD, std, config.hidden(), config.vocabSize());
    }

    @Override
    NDArray block(Projections p, int l, NDArray x, NDArray cos, NDArray sin, @Nullable KeyPadding padding,
            @Nullable KvCache cache) {
        NDArray h = layerNorm(p, module(l, NORM), x);
        NDArray q = heads(p, h, l, Q, Q_NORM, config.heads());
        NDArray k = heads(p, h, l, K, K_NORM, config.kvHeads());
        NDArray v = heads(p.apply(h, module(l, V), true), config.kvHeads());
        NDArray attended = attend(l, q, k, v, cos, sin, 0, padding, cache);
        NDArray a = p.apply(attended, module(l, O), true);
        NDArray up = p.apply(h, module(l, FC1), true);
        NDArray act = activation(config.activation(), up);
        NDArray m = p.apply(act, module(l, FC2), true);
        NDArray am = a.add(m);
        NDArray out = am.add(x);
        free(h, attended, a, up, act, m, am);
        return out;
    }

    /** Projection {@code proj} of {@code h} by head, each head LayerNorm-ed when {@code qk_layernorm}. */
    private NDArray heads(Projections p, NDArray h, int l, String proj, String norm, int count) {
        NDArray byHead = heads(p.apply(h, module(l, proj), true), count);
        if (!config.qkLayerNorm()) {
            return byHead;
        }
        NDArray normed = layerNorm(p, module(l, norm), byHead);
        byHead.close();
        return normed;
    }

    private NDArray layerNorm(Projections p, String module, NDArray x) {
        return layerNorm(p, module, x, config.layerNormEps());
    }

    @Override
    NDArray head(Projections p, NDArray x) {
        NDArray last = layerNorm(p, FINAL_NORM, x);
        NDArray logits = p.apply(last, HEAD, true);
        last.close();
        return logits;
    }
}
