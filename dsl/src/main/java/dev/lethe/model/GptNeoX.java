package dev.lethe.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The GPT-NeoX architecture of one {@link GptNeoXConfig} (GPT-NeoX-20B, Pythia), with Hugging Face's parameter
 * names: {@code x = embed_in[tokens]}; per block {@code a = attention.dense(attn(rope(q), rope(k), v))} on
 * {@code input_layernorm(x)} and {@code m = mlp.dense_4h_to_h(gelu(mlp.dense_h_to_4h(·)))}, then
 * {@code x = m(post_attention_layernorm(x)) + a + x} with the parallel residual, or
 * {@code x' = a + x, x = m(post_attention_layernorm(x')) + x'} without; {@code logits = embed_out(final_layer_norm(x))}.
 *
 * <p>The fused {@code query_key_value} projection is interleaved per head (Black et al. 2022, GPT-NeoX's
 * Megatron layout): its 3·hidden outputs are {@code heads} groups of {@code [q_h | k_h | v_h]}, each part
 * hidden / heads wide ({@link #splitQkv}). Shared blocks: {@link LayerNormalization}, {@link Rotary},
 * {@link CausalAttention}, {@link Projections}, {@link RotaryDecoder}'s passes.
 *
 * <p>Roles (block l's modules under {@code gpt_neox.layers.l.}): {@code gpt_neox.embed_in}
 * {@link Role#TOKEN_EMBEDDING}; {@code input_layernorm} {@link Role#ATTENTION_NORM}; the fused
 * {@code attention.query_key_value} plays {@link Role#ATTENTION_QKV} (no separate q/k/v modules: a LoRA, freeze
 * or quantization aimed at the attention's input acts on all three at once, as with GPT-2's {@code c_attn});
 * {@code attention.dense} {@link Role#ATTENTION_OUT}; {@code post_attention_layernorm} {@link Role#MLP_NORM};
 * {@code mlp.dense_h_to_4h}, {@code dense_4h_to_h} {@link Role#MLP_UP}, {@link Role#MLP_DOWN};
 * {@code gpt_neox.final_layer_norm} {@link Role#FINAL_NORM}; {@code embed_out} {@link Role#LM_HEAD}. Projections
 * and the head are stored (in, out).
 */
public final class GptNeoX extends RotaryDecoder {
    private static final String EMBEDDING = "gpt_neox.embed_in";
    private static final String FINAL_NORM = "gpt_neox.final_layer_norm";
    private static final String HEAD = "embed_out";
    private static final String ATTENTION_NORM = "input_layernorm";
    private static final String QKV = "attention.query_key_value";
    private static final String O = "attention.dense";
    private static final String MLP_NORM = "post_attention_layernorm";
    private static final String UP = "mlp.dense_h_to_4h";
    private static final String DOWN = "mlp.dense_4h_to_h";

    private final GptNeoXConfig config;

    /** The GPT-NeoX model of shape {@code config}. */
    public GptNeoX(GptNeoXConfig config) {
        super(config, "gpt_neox.layers.", EMBEDDING, config.vocabSize(), config.hidden(), config.layers(),
                config.heads(), config.heads(), config.headDim(), config.initializerRange(),
                new Rotary(config.headDim(), config.rotaryFraction(), config.ropeTheta(), RopeScaling.none(),
                        config.maxPositions()));
        this.config = config;
    }

    /** The shape. */
    public GptNeoXConfig config() {
        return config;
    }

    @Override
    void blockRoles(List<RoleModule> r, int l) {
        boolean bias = config.attentionBias();
        r.add(new RoleModule(Role.ATTENTION_NORM, l, module(l, ATTENTION_NORM), true));
        r.add(new RoleModule(Role.ATTENTION_QKV, l, module(l, QKV), bias));
        r.add(new RoleModule(Role.ATTENTION_OUT, l, module(l, O), bias));
        r.add(new RoleModule(Role.MLP_NORM, l, module(l, MLP_NORM), true));
        r.add(new RoleModule(Role.MLP_UP, l, module(l, UP), true));
        r.add(new RoleModule(Role.MLP_DOWN, l, module(l, DOWN), true));
    }

    @Override
    void headRoles(List<RoleModule> r) {
        r.add(new RoleModule(Role.FINAL_NORM, RoleModule.WHOLE_MODEL, FINAL_NORM, true));
        r.add(new RoleModule(Role.LM_HEAD, RoleModule.WHOLE_MODEL, HEAD, false));
    }

    /** As transformers' {@code _init_weights} for GPT-NeoX: projections ~ N(0, std²), biases 0, LayerNorms 1 and 0. */
    @Override
    void blockParameters(List<ParameterSpec> p, int l, double std) {
        int d = config.hidden();
        norm(p, module(l, ATTENTION_NORM), d);
        norm(p, module(l, MLP_NORM), d);
        attentionLinear(p, module(l, QKV), std, d, 3 * d);
        attentionLinear(p, module(l, O), std, d, d);
        linear(p, module(l, UP), std, d, config.intermediate());
        linear(p, module(l, DOWN), std, config.intermediate(), d);
    }

    @Override
    void headParameters(List<ParameterSpec> p, double std) {
        norm(p, FINAL_NORM, config.hidden());
        p.add(ParameterSpec.normal(HEAD + ".weight", std, config.hidden(), config.vocabSize()));
    }

    private void attentionLinear(List<ParameterSpec> p, String module, double std, int in, int out) {
        if (config.attentionBias()) {
            linear(p, module, std, in, out);
        } else {
            p.add(ParameterSpec.normal(module + ".weight", std, in, out));
        }
    }

    /**
     * Queries, keys and values, each (batch, heads, time, headDim), from the interleaved fused projection
     * {@code qkv}, (batch, time, 3·heads·headDim), whose columns are per head {@code [q_h | k_h | v_h]}, as
     * transformers' {@code qkv.view(batch, time, heads, 3·headDim).transpose(1, 2).chunk(3, -1)}. Frees
     * {@code qkv}.
     */
    static NDList splitQkv(NDArray qkv, int heads, int headDim) {
        Shape s = qkv.getShape();
        NDArray byHead = qkv.reshape(s.get(0), s.get(1), heads, 3L * headDim);
        NDArray headsFirst = byHead.transpose(0, 2, 1, 3);
        NDList parts = headsFirst.split(3, 3);
        free(qkv, byHead, headsFirst);
        return parts;
    }

    @Override
    NDArray block(Projections p, int l, NDArray x, NDArray cos, NDArray sin, @Nullable KeyPadding padding,
            @Nullable KvCache cache) {
        boolean bias = config.attentionBias();
        NDArray h = layerNorm(p, module(l, ATTENTION_NORM), x);
        NDList qkv = splitQkv(p.apply(h, module(l, QKV), bias), config.heads(), config.headDim());
        NDArray attended = attend(l, qkv.get(0), qkv.get(1), qkv.get(2), cos, sin, 0, padding, cache);
        NDArray a = p.apply(attended, module(l, O), bias);
        free(h, attended);
        if (config.parallelResidual()) {
            NDArray m = mlp(p, l, x);
            NDArray ma = m.add(a);
            NDArray out = ma.add(x);
            free(m, ma, a);
            return out;
        }
        NDArray x1 = a.add(x);
        NDArray m = mlp(p, l, x1);
        NDArray out = m.add(x1);
        free(a, x1, m);
        return out;
    }

    /** {@code dense_4h_to_h(gelu(dense_h_to_4h(post_attention_layernorm(x))))}. */
    private NDArray mlp(Projections p, int l, NDArray x) {
        NDArray h = layerNorm(p, module(l, MLP_NORM), x);
        NDArray up = p.apply(h, module(l, UP), true);
        NDArray act = activation(config.activation(), up);
        NDArray out = p.apply(act, module(l, DOWN), true);
        free(h, up, act);
        return out;
    }

    private NDArray layerNorm(Projections p, String module, NDArray x) {
        return layerNorm(p, module, x, config.layerNormEps());
    }

    @Override
    NDArray head(Projections p, NDArray x) {
        NDArray last = layerNorm(p, FINAL_NORM, x);
        NDArray logits = p.apply(last, HEAD, false);
        last.close();
        return logits;
    }
}
