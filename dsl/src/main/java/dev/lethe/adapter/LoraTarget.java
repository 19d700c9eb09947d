package dev.lethe.adapter;

import dev.lethe.model.Role;
import java.util.List;

/**
 * A kind of projection of every block that can carry a low-rank adapter: a group of {@link Role}s, of which
 * each architecture has some (GPT-2 fuses q, k and v into one {@link Role#ATTENTION_QKV}; a Llama-style
 * model has them apart and a gated MLP). In recipes a target is spelled in lower case, e.g.
 * {@code attention_qkv}.
 */
public enum LoraTarget {
    /** The attention's query, key and value projections: fused ((d, 3d) in GPT-2) or apart. */
    ATTENTION_QKV(Role.ATTENTION_QKV, Role.ATTENTION_Q, Role.ATTENTION_K, Role.ATTENTION_V),
    /** The attention's output projection, (d, d). */
    ATTENTION_OUT(Role.ATTENTION_OUT),
    /** The MLP's input projections: the up-projection ((d, 4d) in GPT-2) and, in a gated MLP, the gate. */
    MLP_IN(Role.MLP_GATE, Role.MLP_UP),
    /** The MLP's down-projection, (4d, d) in GPT-2. */
    MLP_OUT(Role.MLP_DOWN);

    private final List<Role> roles;

    LoraTarget(Role... roles) {
        this.roles = List.of(roles);
    }

    /** The projection roles this target covers, in the order their adapters are made. */
    public List<Role> roles() {
        return roles;
    }
}
