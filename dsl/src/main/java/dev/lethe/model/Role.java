package dev.lethe.model;

import dev.lethe.part.Kind;
import java.util.Locale;

/**
 * The part a parameter array plays in a transformer language model, independent of what an architecture
 * calls it: code that adapts, freezes, quantizes or steers a model asks its {@link Architecture} for the
 * arrays of a role ({@link Architecture#find(Role, int)}) instead of spelling a checkpoint's names.
 *
 * <p>An architecture has the roles it has: GPT-2 fuses the attention's query, key and value projections
 * into one {@link #ATTENTION_QKV} and has no {@link #MLP_GATE}; a Llama-style model has separate
 * {@link #ATTENTION_Q}, {@link #ATTENTION_K}, {@link #ATTENTION_V}, a gated MLP, no
 * {@link #POSITION_EMBEDDING} (rotary positions have no parameters) and an untied {@link #LM_HEAD}.
 */
public enum Role {
    /** The token embedding table, (vocabulary, width). */
    TOKEN_EMBEDDING(false, Kind.EMBEDDING),
    /** A learned position embedding table, (positions, width); absent with rotary or ALiBi positions. */
    POSITION_EMBEDDING(false, Kind.EMBEDDING),
    /** The norm in front of a block's attention (GPT-2 {@code ln_1}, Llama {@code input_layernorm}). */
    ATTENTION_NORM(true, Kind.NORM),
    /** The fused query/key/value projection, (width, 3·width) in GPT-2. */
    ATTENTION_QKV(true, Kind.PROJECTION),
    /** The query projection of an architecture that keeps q, k and v apart. */
    ATTENTION_Q(true, Kind.PROJECTION),
    /** The key projection of an architecture that keeps q, k and v apart. */
    ATTENTION_K(true, Kind.PROJECTION),
    /** The value projection of an architecture that keeps q, k and v apart. */
    ATTENTION_V(true, Kind.PROJECTION),
    /**
     * The RMSNorm applied to every query head before the rotation (Qwen3's {@code q_norm}), (head width).
     */
    QUERY_NORM(true, Kind.NORM),
    /** The RMSNorm applied to every key head before the rotation (Qwen3's {@code k_norm}), (head width). */
    KEY_NORM(true, Kind.NORM),
    /** The attention's output projection, (width, width). */
    ATTENTION_OUT(true, Kind.PROJECTION),
    /** The norm in front of a block's MLP (GPT-2 {@code ln_2}, Llama {@code post_attention_layernorm}). */
    MLP_NORM(true, Kind.NORM),
    /** The MLP's up-projection, (width, inner). */
    MLP_UP(true, Kind.PROJECTION),
    /** The gate projection of a gated MLP (SwiGLU, Shazeer 2020), (width, inner); absent in GPT-2. */
    MLP_GATE(true, Kind.PROJECTION),
    /** The MLP's down-projection, (inner, width). */
    MLP_DOWN(true, Kind.PROJECTION),
    /** The norm after the last block. */
    FINAL_NORM(false, Kind.NORM),
    /**
     * The output projection to the vocabulary; in a model with tied embeddings (GPT-2) it is the same array as
     * {@link #TOKEN_EMBEDDING}, stored (vocabulary, width).
     */
    LM_HEAD(false, Kind.HEAD);

    private enum Kind { EMBEDDING, NORM, PROJECTION, HEAD }

    private final boolean perBlock;
    private final Kind kind;

    Role(boolean perBlock, Kind kind) {
        this.perBlock = perBlock;
        this.kind = kind;
    }

    /** Whether every block has its own (true) or the model has one (false). */
    public boolean perBlock() {
        return perBlock;
    }

    /**
     * Whether this is a linear map of a block with a weight stored (in, out), {@code y = x·W + b}: what a
     * low-rank adapter can wrap ({@link LowRank}).
     */
    public boolean isProjection() {
        return kind == Kind.PROJECTION;
    }

    /** Whether this is an embedding table, stored (entries, width): one row per token or position. */
    public boolean isEmbedding() {
        return kind == Kind.EMBEDDING;
    }

    /** Whether this is a normalisation's gain (and shift). */
    public boolean isNorm() {
        return kind == Kind.NORM;
    }

    /** The role's name in recipes and patterns: the constant in lower case, e.g. {@code mlp_down}. */
    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * The role called {@code key} ({@link #key()}).
     *
     * @throws IllegalArgumentException listing the roles when there is none of that name
     */
    public static Role of(String key) {
        for (Role r : values()) {
            if (r.key().equals(key)) {
                return r;
            }
        }
        StringBuilder known = new StringBuilder();
        for (Role r : values()) {
            known.append(known.length() == 0 ? "" : ", ").append(r.key());
        }
        throw new IllegalArgumentException("no model role '" + key + "'; roles are " + known);
    }
}
