package dev.lethe.adapter;

/** A projection of every GPT-2 block that can carry a low-rank adapter. */
public enum LoraTarget {
    /** The fused query/key/value projection {@code attn.c_attn}, (d, 3d). */
    ATTENTION_QKV("attn.c_attn"),
    /** The attention output projection {@code attn.c_proj}, (d, d). */
    ATTENTION_OUT("attn.c_proj"),
    /** The MLP's up-projection {@code mlp.c_fc}, (d, 4d). */
    MLP_IN("mlp.c_fc"),
    /** The MLP's down-projection {@code mlp.c_proj}, (4d, d). */
    MLP_OUT("mlp.c_proj");

    private final String suffix;

    LoraTarget(String suffix) {
        this.suffix = suffix;
    }

    /** The projection's name in block {@code layer}, e.g. {@code h.0.attn.c_attn}. */
    public String in(int layer) {
        return "h." + layer + "." + suffix;
    }
}
